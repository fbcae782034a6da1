#!/usr/bin/env bash
# Regenerates paygent.stub.php from the built debug extension (dev-time tool, needs
# `cargo install --locked cargo-php@0.2.2`; never run `cargo php install`).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cargo build -p paygent-php
out=php-ext/stubs/paygent.stub.php
cargo php stubs --stdout target/debug/libpaygent.so > "$out.tmp"
# cargo-php 0.2.2 writes "\r"/"\n" inside single quotes, where PHP reads them literally.
sed -i -e "s/= '\\\\r\\\\n';/= \"\\\\r\\\\n\";/" -e "s/= '\\\\n';/= \"\\\\n\";/" -e "s/= '\\\\r';/= \"\\\\r\";/" "$out.tmp"
# PHP forbids a default value on a readonly property.
sed -i -E 's/(public readonly [^$]*\$[A-Za-z_]+) = null;/\1;/' "$out.tmp"
# The methods are untyped at run time (see php-ext/src/untyped.rs), as in the official module.
sed -i -E 's/^(        public function [A-Za-z_]+\(.*\)): mixed \{\}/\1 {}/' "$out.tmp"
# The composer names are class aliases registered at startup; cargo-php does not see them.
sed -i '$d' "$out.tmp"   # the closing brace of `namespace {`
cat >> "$out.tmp" <<'PHP'

    class_alias(\PaygentB2BModule::class, 'PaygentModule\System\PaygentB2BModule');
    class_alias(\PaygentB2BModuleException::class, 'PaygentModule\Exception\PaygentB2BModuleException');
    class_alias(\PaygentB2BModuleConnectException::class, 'PaygentModule\Exception\PaygentB2BModuleConnectException');
}
PHP
mv "$out.tmp" "$out"
php -l "$out" >/dev/null
echo "wrote $out"
