// A TypeDoc plugin of the docs site: with one program over every package's sources (the "resolve"
// strategy, much faster than one program per package), TypeDoc names each module by its path
// ("core/src"); this renames them to their package names ("@scm-ts/core").
import { Converter, ReflectionKind } from "typedoc";

/** Registers the renaming when TypeDoc loads the plugin. */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const m of context.project.getReflectionsByKind(ReflectionKind.Module)) m.name = m.name.replace(/^(?:packages\/)?([\w-]+)\/src$/, "@scm-ts/$1");
  });
}
