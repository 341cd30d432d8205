#!/bin/sh
# The README's pictures, from `make demo`'s outputs: the HTML summary as chromium shows it and a
# page of the inspection workbook as LibreOffice prints it (page 10: a 乡镇's findings by household). Needs chromium, soffice, pdftoppm and
# fonts-noto-cjk (Debian packages). Run after `make demo`:  scripts/screenshots.sh
set -eu
out=samples/out
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$profile" --hide-scrollbars --window-size=1280,1500 \
    --screenshot=docs/html-summary.png "file://$PWD/$out/report.html" 2>/dev/null
bench/print_check.sh "$out/督导清单.xlsx" 1-1 "$profile/print" >/dev/null
pdftoppm -png -r 80 -f 10 -l 10 -singlefile "$profile/print/督导清单.pdf" docs/printed-page
echo "docs/html-summary.png docs/printed-page.png"
