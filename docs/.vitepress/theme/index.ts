// The site's theme: VitePress's default theme plus the browser demo component, registered globally
// so the demo page can use <SctDemo />.
import DefaultTheme from "vitepress/theme";
import type { Theme } from "vitepress";
import SctDemo from "./SctDemo.vue";

/** The default theme with the demo registered. */
const theme: Theme = {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component("SctDemo", SctDemo);
  },
};

export default theme;
