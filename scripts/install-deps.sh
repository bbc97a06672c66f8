#!/usr/bin/env bash
# Installs the Debian 12 packages lantai builds and runs with; skips what is present.
# With arguments, installs those packages instead (make fuzz: clang-14 libclang-rt-14-dev).
set -euo pipefail

packages=("$@")
[ ${#packages[@]} -gt 0 ] || packages=(
  build-essential cmake ninja-build pkg-config make
  libopencv-core-dev libopencv-imgproc-dev
  libtiff-dev libjpeg62-turbo-dev libpng-dev
  libtesseract-dev libleptonica-dev tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng tesseract-ocr-osd
  libtbb-dev libssl-dev libicu-dev libsqlite3-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libfreetype-dev fonts-noto-cjk
  libqpdf-dev icc-profiles-free poppler-utils libcairo2-dev libpango1.0-dev
  libopenjp2-7-dev liblcms2-dev libopencv-stitching-dev libopencv-features2d-dev
  tesseract-ocr-chi-sim-vert ocrmypdf unpaper img2pdf
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev ffmpeg
  libcpp-httplib-dev libopencv-imgcodecs-dev chromium nodejs
  libclamav-dev libxlsxwriter-dev libarchive-dev libxml2-dev libgcrypt20-dev
  libisofs-dev libexiv2-dev
  slurm-wlm munge iproute2
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
