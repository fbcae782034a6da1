# Throwaway Debian roots for the platform legs (tests/platforms/run.sh, scripts/package.sh
# --suite): debootstrap from the archive apt already uses, the suite's build dependencies, the
# host's Rust toolchain bind-mounted in. Sourced; needs root.
#
#   platform_root_create SUITE   sets ROOT (a new dir under $PLATFORMS_TMP), mounts, installs
#   platform_root_copy_src REPO  copies the work tree (tracked + untracked, not ignored) to
#                                $ROOT/src as a one-commit git repository
#   platform_in_root CMD...      runs CMD inside the root (chroot, clean environment)
#   platform_root_destroy        kills what still runs in the root, unmounts, removes it
#                                (call it from an EXIT trap; it is idempotent)
#
# Caches (outside the repo, kept between runs): $PLATFORMS_CACHE/<suite>/ holds the debootstrap
# tarball (debootstrap --make-tarball), apt's downloaded .debs and package lists, and the cargo
# target dir of that suite. A re-run downloads nothing it already has.
# shellcheck shell=bash

PLATFORMS_CACHE=${PLATFORMS_CACHE:-/var/cache/paygent-platforms}
PLATFORMS_TMP=${PLATFORMS_TMP:-/var/tmp}
PLATFORM_SUITES="bookworm trixie bullseye"
ROOT=""
RH="" CH=""
_platform_mounts=()

plat_say() { printf '[platforms] %s\n' "$*" >&2; }
plat_die() { printf '[platforms] ERROR: %s\n' "$*" >&2; exit 1; }

# The Debian archive (and the security archive, when apt has one) that apt already uses: the
# first `deb` entry of /etc/apt/sources.list and /etc/apt/sources.list.d/*.sources|*.list
# whose URI ends in /debian (resp. /debian-security). Sets MIRROR and SECURITY_MIRROR.
platform_mirrors() {
    local f lines
    lines=$(
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            [ -f "$f" ] || continue
            # one-line style: deb [opts] URI suite components
            sed -n 's/^[[:space:]]*deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\).*/\2/p' "$f"
        done
        for f in /etc/apt/sources.list.d/*.sources; do
            [ -f "$f" ] || continue
            # deb822: stanzas; keep the URIs of those with Types: deb and no Enabled: no
            awk 'BEGIN { RS = ""; FS = "\n" }
                 { deb = 0; en = 1; uris = ""
                   for (i = 1; i <= NF; i++) {
                     if ($i ~ /^Types:/ && $i ~ /[[:space:]]deb([[:space:]]|$)/) deb = 1
                     if ($i ~ /^Enabled:[[:space:]]*no/) en = 0
                     if ($i ~ /^URIs:/) { sub(/^URIs:[[:space:]]*/, "", $i); uris = $i }
                   }
                   if (deb && en) { n = split(uris, u, /[[:space:]]+/); for (j = 1; j <= n; j++) print u[j] } }' "$f"
        done
    )
    MIRROR=$(grep -E '/debian/?$' <<<"$lines" | head -1 | sed 's|/*$||')
    SECURITY_MIRROR=$(grep -E '/debian-security/?$' <<<"$lines" | head -1 | sed 's|/*$||')
    [ -n "$MIRROR" ] || plat_die "no Debian archive (a deb URI ending in /debian) in the apt sources"
}

# The build and test dependencies, with that suite's names. PHP only where PHP >= 8.1 (what
# ext-php-rs supports): bullseye has 7.4.
platform_has_php() { [ "$1" != bullseye ]; }
platform_packages() {
    local suite=$1
    local p=(
        build-essential pkg-config ca-certificates curl git file xz-utils procps
        libssl-dev openssl libclang-dev clang
        perl libwww-perl liblwp-protocol-https-perl
        apache2 tinyproxy
        lintian rpm fakeroot man-db
        postgresql mariadb-server mariadb-client
        jq
    )
    if platform_has_php "$suite"; then
        p+=(php-cli php-dev php-cgi php-curl php-mbstring composer)
    fi
    # hyperfine (the CGI cold-start bench) is packaged from bookworm on.
    [ "$suite" = bullseye ] || p+=(hyperfine)
    # PLATFORMS_EXTRA_PACKAGES: more, e.g. valgrind for the bench's instruction counts.
    echo "${p[@]}" ${PLATFORMS_EXTRA_PACKAGES:-}
}

_plat_mount() { # mount ARGS... TARGET (the last argument is the mount point)
    mount "$@" || return 1
    local t=${*: -1}
    mount --make-private "$t" 2>/dev/null || true
    _platform_mounts+=("$t")
}

# The debootstrap tarball of SUITE (minbase), made once and kept in the cache.
platform_tarball() {
    local suite=$1 dir=$PLATFORMS_CACHE/$1
    local tb=$dir/debootstrap-minbase.tgz
    mkdir -p "$dir"
    if [ ! -s "$tb" ]; then
        command -v debootstrap >/dev/null || {
            plat_say "installing debootstrap (apt)"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null \
                || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; } \
                || plat_die "cannot install debootstrap"
        }
        plat_say "debootstrap --make-tarball $suite from $MIRROR (once; cached in $tb)"
        local w
        w=$(mktemp -d "$PLATFORMS_TMP/paygent-debootstrap.XXXXXX")
        if ! debootstrap --variant=minbase --make-tarball="$tb.part" "$suite" "$w" "$MIRROR" >"$dir/debootstrap.log" 2>&1; then
            tail -20 "$dir/debootstrap.log" >&2
            rm -rf "$w" "$tb.part"
            plat_die "debootstrap --make-tarball $suite failed (log: $dir/debootstrap.log)"
        fi
        rm -rf "$w"
        mv "$tb.part" "$tb"
    fi
    TARBALL=$tb
}

platform_root_create() {
    local suite=$1
    case " $PLATFORM_SUITES " in *" $suite "*) ;; *) plat_die "unknown suite '$suite' (one of: $PLATFORM_SUITES)" ;; esac
    [ "$(id -u)" = 0 ] || plat_die "needs root (debootstrap, chroot, mount)"
    platform_mirrors
    platform_tarball "$suite"
    local cache=$PLATFORMS_CACHE/$suite
    mkdir -p "$cache/apt-archives/partial" "$cache/apt-lists/partial" "$cache/target"
    ROOT=$(mktemp -d "$PLATFORMS_TMP/paygent-root-$suite.XXXXXX")
    chmod 755 "$ROOT"
    plat_say "root $ROOT: debootstrap --unpack-tarball"
    if ! debootstrap --variant=minbase --unpack-tarball="$TARBALL" "$suite" "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1; then
        tail -20 "$ROOT.debootstrap.log" >&2
        plat_die "debootstrap --unpack-tarball $suite failed"
    fi
    rm -f "$ROOT.debootstrap.log"

    # apt: the suite, its updates and security, from the same archive as the host's apt.
    {
        echo "deb $MIRROR $suite main"
        echo "deb $MIRROR $suite-updates main"
        [ -z "$SECURITY_MIRROR" ] || echo "deb $SECURITY_MIRROR $suite-security main"
    } >"$ROOT/etc/apt/sources.list"
    # No daemon starts from a maintainer script: the tests start their own on loopback, and the
    # root shares the host's network.
    printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
    chmod 755 "$ROOT/usr/sbin/policy-rc.d"
    printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\nAPT::Keep-Downloaded-Packages "true";\nBinary::apt::APT::Keep-Downloaded-Packages "true";\n' \
        >"$ROOT/etc/apt/apt.conf.d/90paygent"
    rm -f "$ROOT/etc/apt/apt.conf.d/docker-clean"
    cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
    echo "paygent-$suite" >"$ROOT/etc/hostname"

    # The root is a mount point of its own: inside it `unshare --mount` makes `/` private (the
    # full-disk test mounts a tmpfs in its own namespace), which fails on a plain directory.
    _plat_mount --bind "$ROOT" "$ROOT" || plat_die "bind the root onto itself"
    _plat_mount -t proc proc "$ROOT/proc" || plat_die "mount proc"
    _plat_mount -t sysfs -o ro sysfs "$ROOT/sys" || plat_die "mount sys"
    _plat_mount --bind /dev "$ROOT/dev" || plat_die "mount dev"
    _plat_mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$ROOT/dev/pts" || plat_die "mount devpts"
    _plat_mount -t tmpfs -o mode=1777,size=2g tmpfs "$ROOT/dev/shm" || plat_die "mount shm"
    mkdir -p "$ROOT/run"
    _plat_mount -t tmpfs -o mode=755 tmpfs "$ROOT/run" || plat_die "mount run"
    mkdir -p "$ROOT/run/lock" && chmod 1777 "$ROOT/run/lock"
    _plat_mount --bind "$cache/apt-archives" "$ROOT/var/cache/apt/archives" || plat_die "mount apt cache"
    _plat_mount --bind "$cache/apt-lists" "$ROOT/var/lib/apt/lists" || plat_die "mount apt lists"

    plat_say "apt-get install the $suite build dependencies"
    _plat_apt_install "$suite" $(platform_packages "$suite") || plat_die "apt-get install in the $suite root failed"
    # Nothing must hold the root open: some maintainer scripts leave helpers behind.
    _plat_kill_root_procs

    # The host's Rust toolchain: rustup's toolchains read-only; CARGO_HOME's registry cache
    # shared (cargo locks it), its bin (rustup's proxies, cbindgen) read-only.
    # Mounted at the host's own paths: rustup's toolchain entries may be absolute symlinks.
    _plat_toolchain_paths
    [ -d "$RH/toolchains" ] && [ -x "$CH/bin/cargo" ] || plat_die "no rustup toolchain in $RH / $CH (install Rust with rustup)"
    mkdir -p "$ROOT$RH" "$ROOT$CH" "$CH/registry"
    _plat_mount --bind "$RH" "$ROOT$RH" || plat_die "mount rustup"
    mount -o remount,bind,ro "$ROOT$RH" || plat_die "remount rustup ro"
    _plat_mount --bind "$CH" "$ROOT$CH" || plat_die "mount cargo home"
    _plat_mount --bind "$CH/bin" "$ROOT$CH/bin" || plat_die "mount cargo bin"
    mount -o remount,bind,ro "$ROOT$CH/bin" || plat_die "remount cargo bin ro"
    mkdir -p "$ROOT/target"
    _plat_mount --bind "$cache/target" "$ROOT/target" || plat_die "mount target"
    # cargo reaches crates.io through whatever the host trusts (a proxy's CA, say): the host's CA
    # bundle, for cargo only (CARGO_HTTP_CAINFO); the root's own trust store stays Debian's.
    local ca=${CARGO_HTTP_CAINFO:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}
    [ -f "$ca" ] && cp "$ca" "$ROOT/etc/ssl/host-ca-for-cargo.pem"
}

# apt-get install in the root. A .deb the archive lists but does not serve (seen on the security
# archive of an LTS suite: 404 for some files) is taken from the release instead (PKG/SUITE),
# said loudly; anything else fails.
_plat_apt_install() {
    local suite=$1; shift
    local log=$PLATFORMS_CACHE/$suite/apt.log missing=() pinned=() p try
    platform_in_root apt-get update -qq >"$log" 2>&1 || { tail -20 "$log" >&2; return 1; }
    for try in 1 2 3 4; do
        : >"$log.try"
        if platform_in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pinned[@]}" "$@" >"$log.try" 2>&1; then
            cat "$log.try" >>"$log"; rm -f "$log.try"
            return 0
        fi
        cat "$log.try" >>"$log"
        mapfile -t missing < <(sed -n 's|^E: Failed to fetch .*/pool/[^ ]*/\([^/_ ]*\)_[^/ ]*\.deb .*404.*|\1|p' "$log.try" | sort -u)
        if ((${#missing[@]} == 0)) || ((try == 4)); then tail -30 "$log.try" >&2; rm -f "$log.try"; return 1; fi
        plat_say "WARNING: the archive lists but does not serve (404) the $suite update of: ${missing[*]}; installing the release's version"
        for p in "${missing[@]}"; do pinned+=("$p/$suite"); done
    done
}

platform_root_copy_src() {
    local repo=$1 epoch
    epoch=$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)
    mkdir -p "$ROOT/src"
    (cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 -r sh -c 'for f; do [ -e "$f" ] || [ -L "$f" ] && printf "%s\0" "$f"; done' sh \
        | tar --null -T - -cf -) | tar -C "$ROOT/src" -xf - || plat_die "copying the work tree into the root"
    # A git repository (the package and CPAN tests read git), one commit at the host's HEAD date.
    platform_in_root sh -c "cd /src && git init -q && git add -A && GIT_AUTHOR_DATE=@$epoch GIT_COMMITTER_DATE=@$epoch git -c user.name=platforms -c user.email=platforms@invalid commit -qm 'work tree' --no-verify" \
        || plat_die "git init in the root"
}

# Runs CMD in the root with a clean environment: the host's Rust toolchain on PATH, the suite's
# target dir, CI as the caller has it.
_plat_toolchain_paths() {
    RH=$(readlink -f "${RUSTUP_HOME:-$HOME/.rustup}") CH=$(readlink -f "${CARGO_HOME:-$HOME/.cargo}")
}
platform_in_root() {
    [ -n "$CH" ] || _plat_toolchain_paths
    # In the background and waited for: a signal to the caller is handled at once (its trap
    # then removes the root), not when the command ends.
    chroot "$ROOT" /usr/bin/env -i \
        HOME=/root USER=root LOGNAME=root SHELL=/bin/bash TERM="${TERM:-dumb}" LANG=C.UTF-8 \
        PATH="$CH/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
        RUSTUP_HOME="$RH" CARGO_HOME="$CH" RUSTUP_AUTO_INSTALL=0 \
        CARGO_TARGET_DIR=/target CARGO_TERM_COLOR=never \
        $( [ -f "$ROOT/etc/ssl/host-ca-for-cargo.pem" ] && echo CARGO_HTTP_CAINFO=/etc/ssl/host-ca-for-cargo.pem ) \
        CI="${CI:-}" PAYGENT_REQUIRE_ALL="${PAYGENT_REQUIRE_ALL:-}" TMPDIR=/tmp \
        "$@" </dev/null &
    wait $!
}

# Kills the processes whose root is this root (started by this run: nothing else is in it).
_plat_kill_root_procs() {
    [ -n "$ROOT" ] && [ -d "$ROOT" ] || return 0
    local sig pid r any
    for sig in TERM KILL; do
        any=0
        for pid in /proc/[0-9]*; do
            r=$(readlink "$pid/root" 2>/dev/null) || continue
            if [ "$r" = "$ROOT" ]; then kill -"$sig" "${pid#/proc/}" 2>/dev/null && any=1; fi
        done
        ((any)) || return 0
        sleep 1
    done
}

platform_root_destroy() {
    [ -n "$ROOT" ] || return 0
    _plat_kill_root_procs
    local i m
    # Unmount in reverse order, then whatever is still mounted below the root (umount -R).
    for ((i = ${#_platform_mounts[@]} - 1; i >= 0; i--)); do
        m=${_platform_mounts[i]}
        mountpoint -q "$m" 2>/dev/null && { umount -R "$m" 2>/dev/null || umount -R -l "$m" 2>/dev/null; }
    done
    _platform_mounts=()
    for m in $(awk -v r="$ROOT" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
        umount -R "$m" 2>/dev/null || umount -R -l "$m" 2>/dev/null
    done
    # Never remove a tree with anything still mounted in it (the host's cargo home is bound in).
    if awk -v r="$ROOT" '$5 == r || index($5, r "/") == 1 { f = 1 } END { exit !f }' /proc/self/mountinfo; then
        plat_say "WARNING: still mounted below $ROOT; not removed"
    else
        rm -rf --one-file-system "$ROOT"
        plat_say "removed $ROOT and its mounts"
    fi
    ROOT=""
}
