// Builds the staff interface's assets into frontend/static/dist/ (gitignored).
// Run by `npm run build` (and `make frontend`): compiles GOV.UK Frontend's Sass with our
// settings (system fonts, no crown, no GOV.UK brand) and copies the browser files of
// govuk-frontend, htmx, Leaflet and axe-core from node_modules, plus our own scripts.
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const src = join(root, "frontend", "static_src");
const dist = join(root, "frontend", "static", "dist");

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "images"), { recursive: true });

const css = sass.compile(join(src, "scss", "app.scss"), {
  // The project root too: MOJ Frontend's Sass asks for "node_modules/govuk-frontend/...".
  loadPaths: [modules, root],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "color-functions", "slash-div", "if-function"],
});
writeFileSync(join(dist, "app.css"), css.css);

const copies = {
  "govuk-frontend/dist/govuk/govuk-frontend.min.js": "govuk-frontend.min.js",
  "htmx.org/dist/htmx.min.js": "htmx.min.js",
  "leaflet/dist/leaflet.js": "leaflet.js",
  "leaflet/dist/leaflet.css": "leaflet.css",
  "axe-core/axe.min.js": "axe.min.js",
};
// Source-map comments are dropped: the maps are not shipped, and Django's manifest storage
// (collectstatic in production) refuses references to files that do not exist.
const noSourceMap = (text) => text.replace(/(\/\/|\/\*)# sourceMappingURL=[^\s*]+( \*\/)?\s*$/gm, "");
for (const [from, to] of Object.entries(copies)) {
  writeFileSync(join(dist, to), noSourceMap(readFileSync(join(modules, from), "utf8")));
}
cpSync(join(modules, "leaflet/dist/images"), join(dist, "images"), { recursive: true });
for (const name of readdirSync(join(src, "js"))) cpSync(join(src, "js", name), join(dist, name));
// The public site's stylesheet, also used by the resident alert pages the application serves.
cpSync(join(root, "publicsite", "assets", "public_site.css"), join(dist, "public_site.css"));

console.log(`frontend assets built in ${dist}`);
