// Single-file components imported from TypeScript: typed as Vue components.
declare module "*.vue" {
  import type { DefineComponent } from "vue";
  const component: DefineComponent;
  export default component;
}
