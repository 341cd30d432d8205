#!/bin/sh
# How a workbook prints: LibreOffice turns it into an A4 PDF (every sheet, with its page setup),
# then pdftoppm renders some pages as PNG to look at (e.g. for the README).
# Needs soffice (libreoffice-calc), pdftoppm (poppler-utils) and a CJK font (fonts-noto-cjk).
#
#   bench/print_check.sh WORKBOOK.xlsx [FIRST-LAST] [OUTDIR]    # pages 1-3, bench/out/print by default
set -eu
book=$1
pages=${2:-1-3}
out=${3:-bench/out/print}
mkdir -p "$out"
# a profile of its own, so that a LibreOffice already open does not swallow the conversion
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
soffice -env:UserInstallation="file://$profile" --headless --convert-to pdf --outdir "$out" "$book" >/dev/null
name=$(basename "$book")
pdf="$out/${name%.*}.pdf"
pdftoppm -png -r 60 -f "${pages%-*}" -l "${pages#*-}" "$pdf" "${pdf%.pdf}"
echo "$pdf: $(pdfinfo "$pdf" | sed -n 's/^Pages: *//p') pages"
ls "${pdf%.pdf}"-*.png
