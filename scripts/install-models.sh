#!/usr/bin/env bash
# Installs other Tesseract language data for measuring against Debian's, from the npm
# registry, checksum verified; nothing is fetched at run time. Today: the chi_sim model of
# Tesseract's tessdata 4.0.0 set (@tesseract.js-data/chi_sim 1.0.0, Apache-2.0), beside
# Debian's eng, into models/tessdata-4.0.0/. Use it with bench_ocr --tessdata DIR or a
# profile's ocr.tessdata_dir. (On the sample lots Debian's chi_sim reads better: see
# docs/design-notes.md, so the profile keeps Debian's.)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/models/tessdata-4.0.0"
package="@tesseract.js-data/chi_sim@1.0.0"
tarball_sha256="850d4a217c87808ef765385cbe5825f4ae99047a49b17e024069ceb663f01c33"
model_sha256="fc05d89ab31d8b4e226910f16a8bcbf78e43bae3e2580bb5feefd052efdab363"
debian_eng=/usr/share/tesseract-ocr/5/tessdata/eng.traineddata

if [ -f "$dest/chi_sim.traineddata" ] && echo "$model_sha256  $dest/chi_sim.traineddata" | sha256sum -c --quiet; then
  exit 0
fi
[ -f "$debian_eng" ] || { echo "install-models: $debian_eng missing: run scripts/install-deps.sh" >&2; exit 1; }

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
(cd "$scratch" && npm pack --silent "$package" >/dev/null)
tarball="$(ls "$scratch"/*.tgz)"
echo "$tarball_sha256  $tarball" | sha256sum -c --quiet || { echo "install-models: $package: checksum mismatch" >&2; exit 1; }
tar -xzf "$tarball" -C "$scratch" package/4.0.0/chi_sim.traineddata.gz
gunzip "$scratch/package/4.0.0/chi_sim.traineddata.gz"
echo "$model_sha256  $scratch/package/4.0.0/chi_sim.traineddata" | sha256sum -c --quiet ||
  { echo "install-models: chi_sim.traineddata: checksum mismatch" >&2; exit 1; }
mkdir -p "$dest"
cp "$debian_eng" "$dest/eng.traineddata"
mv "$scratch/package/4.0.0/chi_sim.traineddata" "$dest/chi_sim.traineddata"
echo "installed: $dest (chi_sim 4.0.0, eng from Debian)"
