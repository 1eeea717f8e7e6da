// Builds the vendored files into ../webapp/static/vendor: Uppy as one ES module, and the
// built files Chart.js and PhotoSwipe publish, with their licences. Run: npm ci && npm run build
import { build } from 'esbuild'
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'

const out = new URL('../webapp/static/vendor/', import.meta.url).pathname
// Written over in place, then what this build did not write is removed: the folder never goes
// missing while the bootstrap installs the web app beside this build (its package lists it).
const started = Date.now() - 1000
await build({
  entryPoints: { 'uppy/uppy.min': 'uppy.js' }, outdir: out, bundle: true, minify: true,
  format: 'esm', target: 'es2022', legalComments: 'external', logLevel: 'warning',
})
const copy = (from, to) => {
  mkdirSync(out + to.replace(/[^/]*$/, ''), { recursive: true })
  copyFileSync(`node_modules/${from}`, out + to)
}
copy('chart.js/dist/chart.umd.min.js', 'chartjs/chart.umd.min.js')
for (const file of ['photoswipe.esm.min.js', 'photoswipe-lightbox.esm.min.js', 'photoswipe.css']) {
  copy(`photoswipe/dist/${file}`, `photoswipe/${file}`)
}
for (const [pkg, licence] of [['@uppy/core', 'LICENSE'], ['@uppy/aws-s3', 'LICENSE'], ['chart.js', 'LICENSE.md'],
                              ['photoswipe', 'LICENSE']]) {
  copy(`${pkg}/${licence}`, `LICENSES/${pkg.replace('/', '__')}.txt`)
}
for (const entry of readdirSync(out, { recursive: true })) {
  const path = out + entry
  if (statSync(path).isFile() && statSync(path).mtimeMs < started) rmSync(path)
}

