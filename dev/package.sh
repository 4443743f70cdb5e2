#!/usr/bin/env bash
# Builds Gongjian's packages into dist/: release binaries with the Swift standard library and
# Foundation linked in (--static-swift-stdlib), so that they need only the system's C libraries.
#
#   dist/gongjian_<version>_amd64.deb          the office's CLI
#   dist/gongjian-server_<version>_amd64.deb   the server, its systemd unit, user and data directory
#   dist/gongjian-<version>-linux-x86_64.tar.gz both, for other distributions
#
#   dev/package.sh [--version V] [--configuration release|debug] [--scratch-path DIR] [--out DIR]
#
# --version: the packages' version (default: VERSION, the one the binaries print); the tests
#   repackage the same binaries under a lower one to try an upgrade without a second build.
# --configuration debug: package a debug build (to try the packaging in a minute; the packages
#   an office gets, and the test command's, are release builds).
# --scratch-path: the build folder (default .build-release, which bench/run shares).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

version="$(tr -d '[:space:]' < VERSION)"
configuration=release
scratch=""
out="$root/dist"
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version="$2"; shift 2 ;;
    --configuration) configuration="$2"; shift 2 ;;
    --scratch-path) scratch="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    *) echo "dev/package.sh: unknown argument $1 (see --help)" >&2; exit 64 ;;
  esac
done
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "dev/package.sh: --version: MAJOR.MINOR.PATCH (got '$version')" >&2; exit 64; }
case "$configuration" in release|debug) ;; *) echo "dev/package.sh: --configuration: release or debug" >&2; exit 64 ;; esac
[ -n "$scratch" ] || scratch="$root/.build-$configuration"
case "$out" in /*) ;; *) out="$root/$out" ;; esac

need=()
for tool in dpkg-dev:dpkg-shlibdeps binutils:strip fakeroot:fakeroot; do
  command -v "${tool#*:}" >/dev/null || need+=("${tool%%:*}")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi

say() { echo "dev/package.sh: $*" >&2; }

# The binaries.
build=(swift build -c "$configuration" --static-swift-stdlib --scratch-path "$scratch")
start="$(date +%s)"
for product in gongjian-server gongjian; do
  "${build[@]}" --product "$product" >&2
done
bin="$("${build[@]}" --show-bin-path)"
say "built in $(( $(date +%s) - start )) s ($configuration, $bin)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
for product in gongjian-server gongjian; do
  # Debug information goes (most of the size); the symbol table stays, so that backtraces name functions.
  strip --strip-debug -o "$work/bin/$product" "$bin/$product"
  printed="$("$work/bin/$product" --version)"
  [ "$printed" = "$(tr -d '[:space:]' < VERSION)" ] || { say "$product --version printed '$printed', VERSION says otherwise: run dev/version.sh"; exit 1; }
done

# No Swift runtime: every library the binaries load is the system's.
for product in gongjian-server gongjian; do
  if ldd "$work/bin/$product" | grep -E 'libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime' >&2; then
    say "$product loads Swift's libraries (above); it must not"
    exit 1
  fi
done

# Man pages from the commands' own help (argument-parser's generate-manual, built once in its own
# scratch path from the checkout the build resolved), and shell completions from the binaries.
tools="$root/.build-tools"
checkout="$scratch/checkouts/swift-argument-parser"
swift build -c release --package-path "$checkout" --scratch-path "$tools" --product generate-manual > "$work/tools.log" 2>&1 \
  || { cat "$work/tools.log" >&2; exit 1; }
generate_manual="$(swift build -c release --package-path "$checkout" --scratch-path "$tools" --show-bin-path)/generate-manual"
for product in gongjian-server gongjian; do
  share="$work/share/$product"
  mkdir -p "$share/man" "$share/completions"
  "$generate_manual" "$work/bin/$product" --output-directory "$share/man" --section 1 \
    --authors "Gongjian developers" --date "$(date -u -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}" +%Y-%m-%d)" >&2
  gzip -9n "$share/man/$product.1"
  "$work/bin/$product" --generate-completion-script bash > "$share/completions/$product.bash"
  "$work/bin/$product" --generate-completion-script zsh > "$share/completions/_$product"
  "$work/bin/$product" --generate-completion-script fish > "$share/completions/$product.fish"
done

# Package dependencies from the libraries the binaries load (dpkg-shlibdeps reads debian/control).
depends() {
  local dir="$work/shlibs-$1"
  mkdir -p "$dir/debian"
  printf 'Source: gongjian\n\nPackage: %s\nArchitecture: amd64\n' "$1" > "$dir/debian/control"
  (cd "$dir" && dpkg-shlibdeps -O -e"$work/bin/$1" 2>/dev/null) | sed -n 's/^shlibs:Depends=//p'
}

# Lays out one binary's files under $1 (a package root): binary, man page, completions.
install_binary() {
  local stage="$1" product="$2" share="$work/share/$2"
  install -D -m 0755 "$work/bin/$product" "$stage/usr/bin/$product"
  install -D -m 0644 "$share/man/$product.1.gz" "$stage/usr/share/man/man1/$product.1.gz"
  install -D -m 0644 "$share/completions/$product.bash" "$stage/usr/share/bash-completion/completions/$product"
  install -D -m 0644 "$share/completions/_$product" "$stage/usr/share/zsh/vendor-completions/_$product"
  install -D -m 0644 "$share/completions/$product.fish" "$stage/usr/share/fish/vendor_completions.d/$product.fish"
}

# Writes DEBIAN/control and md5sums, and builds the .deb.
deb() {
  local stage="$1" package="$2" description="$3"
  mkdir -p "$stage/DEBIAN"
  local size
  size="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
  {
    echo "Package: $package"
    echo "Version: $version"
    echo "Architecture: amd64"
    echo "Maintainer: Gongjian developers <gongjian@localhost>"
    echo "Installed-Size: $size"
    echo "Depends: $4"
    echo "Section: net"
    echo "Priority: optional"
    echo "Description: $description"
    cat
  } > "$stage/DEBIAN/control"
  (cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$stage/DEBIAN/md5sums"
  mkdir -p "$out"
  dpkg-deb --root-owner-group -Zxz --build "$stage" "$out/${package}_${version}_amd64.deb" >&2
}

rm -f "$out/gongjian_${version}_amd64.deb" "$out/gongjian-server_${version}_amd64.deb" "$out/gongjian-$version-linux-x86_64.tar.gz"

cli="$work/deb-cli"
install_binary "$cli" gongjian
deb "$cli" gongjian "Gongjian office client: records, offline work and sync" "$(depends gongjian)" <<'EOF'
 The command line of an office of the Suzhou-Suqian co-built industrial parks:
 it keeps the office's copy of its partnerships' records, works offline, and syncs
 with a Gongjian server over gRPC with mutual TLS.
EOF

server="$work/deb-server"
install_binary "$server" gongjian-server
install -D -m 0644 packaging/gongjian-server.service "$server/usr/lib/systemd/system/gongjian-server.service"
install -D -m 0640 packaging/server.json "$server/etc/gongjian/server.json"
# /var/lib/gongjian is made by postinst, not shipped: dpkg then never removes it with its data.
mkdir -p "$server/DEBIAN"
install -m 0755 packaging/debian/gongjian-server/postinst packaging/debian/gongjian-server/prerm \
  packaging/debian/gongjian-server/postrm "$server/DEBIAN/"
echo "/etc/gongjian/server.json" > "$server/DEBIAN/conffiles"
deb "$server" gongjian-server "Gongjian co-construction sync server" "$(depends gongjian-server), passwd" <<'EOF'
 The multi-tenant gRPC server (HTTP/2, mutual TLS) of the Suzhou-Suqian co-built
 industrial parks, with its sync engine and records. Installs a systemd unit,
 the system user gongjian, the data directory /var/lib/gongjian and the
 configuration /etc/gongjian/server.json.
EOF

# The tarball: both binaries, the unit, the configuration, man pages and completions.
name="gongjian-$version-linux-x86_64"
tree="$work/$name"
install_binary "$tree" gongjian
install_binary "$tree" gongjian-server
mv "$tree/usr/bin" "$tree/bin" && mv "$tree/usr/share" "$tree/share" && rmdir "$tree/usr"
install -D -m 0644 packaging/gongjian-server.service "$tree/systemd/gongjian-server.service"
install -D -m 0644 packaging/server.json "$tree/etc/server.json"
cat > "$tree/README" <<EOF
Gongjian $version for Linux x86_64: the office's CLI (bin/gongjian) and the server (bin/gongjian-server),
linked with the Swift standard library; they need glibc, libstdc++, zlib and SQLite 3 (libsqlite3.so.0).

  bin/        gongjian, gongjian-server   (copy to /usr/local/bin or anywhere on PATH)
  share/man/man1/                         man pages
  share/bash-completion, zsh, fish        shell completions
  systemd/gongjian-server.service         the unit the Debian package installs (expects /usr/bin,
                                          a user gongjian and /etc/gongjian/server.json)
  etc/server.json                         that configuration

Start: gongjian-server init --data-dir DIR --admin-office ID --name NAME --host NAME-OFFICES-DIAL,
then gongjian-server serve --data-dir DIR --listen 0.0.0.0:7443.
EOF
tar -C "$work" --owner=0 --group=0 --numeric-owner --sort=name -czf "$out/$name.tar.gz" "$name"

for file in "$out"/gongjian_"$version"_amd64.deb "$out"/gongjian-server_"$version"_amd64.deb "$out/$name.tar.gz"; do
  say "$(basename "$file"): $(( $(stat -c %s "$file") / 1024 )) KiB"
done
for package in gongjian gongjian-server; do
  say "$package depends on: $(dpkg-deb -f "$out/${package}_${version}_amd64.deb" Depends)"
done
