#!/bin/sh
# Builds the Go plugin fixtures of dev.kpm.compat into <outdir>, offline, with the installed Go
# toolchain (Debian golang-go 1.19) and patchelf. Skips the build when every output is newer than
# every source file here. Usage: build.sh <outdir>
set -eu

OUT=$(mkdir -p "$1" && cd "$1" && pwd)
SRC=$(cd "$(dirname "$0")" && pwd)
STAMP="$OUT/.built"

if [ -f "$STAMP" ] && [ -z "$(find "$SRC" -newer "$STAMP" -print -quit)" ]; then
  echo "fixtures up to date in $OUT"
  exit 0
fi
rm -f "$STAMP"

for tool in go patchelf gcc; do
  command -v "$tool" >/dev/null 2>&1 || { echo "missing $tool (apt-get install golang-go patchelf gcc)" >&2; exit 3; }
done

export GOPROXY=off GOFLAGS=-mod=mod GO111MODULE=on GOSUMDB=off GOTOOLCHAIN=local
export GOCACHE="$OUT/go-cache" GOPATH="$OUT/gopath" CGO_ENABLED=1
GOROOT_SYSTEM=$(go env GOROOT)

# A work folder per module so every build has its own go.mod pointing at one kpmlib copy.
work="$OUT/work"
rm -rf "$work"
mkdir -p "$work"
cp -r "$SRC/kpmlib-v1" "$SRC/kpmlib-v2" "$SRC/host" "$work/"

plugin_src() { # name kpmlib-dir
  mkdir -p "$work/$1"
  cp "$SRC/plugin/main.go" "$work/$1/"
  sed "s#KPMLIB#$work/$2#" "$SRC/plugin/go.mod.in" > "$work/$1/go.mod"
}

(cd "$work/host" && go build -o "$OUT/host" . && go build -ldflags='-s -w' -o "$OUT/host-stripped" .)
# The same host built against kpmlib v2: an "upgraded engine" that plugin-ok.so no longer fits.
cp -r "$work/host" "$work/host-v2"
sed -i 's#=> ../kpmlib-v1#=> ../kpmlib-v2#' "$work/host-v2/go.mod"
(cd "$work/host-v2" && go build -o "$OUT/host-v2" .)

plugin_src plugin-v1 kpmlib-v1
plugin_src plugin-v2 kpmlib-v2
(cd "$work/plugin-v1" &&
  go build -buildmode=plugin -o "$OUT/plugin-ok.so" . &&
  go build -buildmode=plugin -trimpath -o "$OUT/plugin-trimpath.so" . &&
  go build -buildmode=plugin -tags kpmextra -o "$OUT/plugin-tag.so" . &&
  go build -buildmode=plugin -ldflags='-s -w' -o "$OUT/plugin-stripped.so" .)
(cd "$work/plugin-v2" && go build -buildmode=plugin -o "$OUT/plugin-module.so" .)

cp "$OUT/plugin-ok.so" "$OUT/plugin-musl.so"
patchelf --replace-needed libc.so.6 libc.musl-x86_64.so.1 "$OUT/plugin-musl.so"

# A second "toolchain": the installed GOROOT with one more exported function in runtime (so the
# runtime package's fingerprint differs), and in internal/abi and runtime/internal/atomic, which
# come in the opposite order by name and in the plugin's pkghashes array, so the package the
# loader names shows which order it uses. Copied once; its own cache keeps the rebuilt std.
toolchain="$OUT/go-toolchain"
marker="$toolchain/.kpm-toolchain-2"
if [ ! -f "$marker" ]; then
  rm -rf "$toolchain"
  mkdir -p "$toolchain"
  for part in VERSION bin pkg src; do
    cp -rL "$GOROOT_SYSTEM/$part" "$toolchain/"
  done
  chmod -R u+w "$toolchain"
  for pkg in runtime internal/abi runtime/internal/atomic; do
    name=$(basename "$pkg")
    cat > "$toolchain/src/$pkg/kpm_extra.go" <<GO
package $name

// KpmToolchainMarker exists only in this copy of the toolchain: it changes the export data.
func KpmToolchainMarker() int { return 7 }
GO
  done
  touch "$marker"
fi
(cd "$work/plugin-v1" &&
  GOROOT="$toolchain" GOCACHE="$OUT/go-cache-toolchain" "$toolchain/bin/go" build \
    -buildmode=plugin -o "$OUT/plugin-toolchain.so" .)

gcc -shared -fPIC -o "$OUT/c-lib.so" "$SRC/c-lib.c"
printf 'This is not a shared object at all, only seventy bytes of plain text.\n' > "$OUT/text.so"
test "$(wc -c < "$OUT/text.so")" -eq 70

touch "$STAMP"
echo "fixtures built in $OUT"
