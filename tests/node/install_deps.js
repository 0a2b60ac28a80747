'use strict';
// Installs the npm packages that the Node.js client tests use, exactly as package-lock.json
// pins them, into a directory of the build tree (never into the source tree):
//
//   node install_deps.js NPM SOURCE_DIR DEST_DIR
//
// DEST_DIR receives copies of package.json and package-lock.json and `npm ci` fills
// DEST_DIR/node_modules; the tests find it through NODE_PATH. A stamp in node_modules records
// what was installed, so a second run with an unchanged lock file does nothing.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const [npm, src, dest] = process.argv.slice(2);
if (!npm || !src || !dest) {
  console.error('usage: node install_deps.js NPM SOURCE_DIR DEST_DIR');
  process.exit(2);
}
const files = ['package.json', 'package-lock.json'];
const wanted = files.map((f) => fs.readFileSync(path.join(src, f), 'utf8')).join('\0');
const stamp = path.join(dest, 'node_modules', '.basalt-installed');

let installed = null;
try {
  installed = fs.readFileSync(stamp, 'utf8');
} catch {
  // Nothing installed yet.
}
if (installed === wanted) {
  console.log(`npm packages in ${dest} are up to date with ${src}/package-lock.json`);
  process.exit(0);
}

fs.mkdirSync(dest, { recursive: true });
for (const f of files) fs.copyFileSync(path.join(src, f), path.join(dest, f));
const started = Date.now();
const res = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dest, stdio: 'inherit' });
if (res.error || res.status !== 0) {
  console.error(`npm ci failed in ${dest}: ${res.error ? res.error.message : `exit ${res.status}`}`);
  process.exit(1);
}
fs.writeFileSync(stamp, wanted);
console.log(`npm ci took ${((Date.now() - started) / 1000).toFixed(1)} s`);
