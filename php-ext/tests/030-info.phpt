--TEST--
php --ri paygent: version, OpenSSL in use, the properties file found (or why none), session cache, log, debug
--EXTENSIONS--
paygent
--FILE--
<?php
function section() {
    ob_start();
    phpinfo(INFO_MODULES);
    $all = ob_get_clean();
    $rows = [];
    foreach (['version', 'loaded from', 'OpenSSL in use', 'properties file', 'TLS session cache', 'log file', 'debug (debug_flg)'] as $k) {
        $rows[$k] = preg_match('/^' . preg_quote($k, '/') . ' => (.*)$/m', $all, $m) ? $m[1] : '(missing)';
    }
    return $rows;
}
$dir = sys_get_temp_dir() . '/paygent-phpt-info-' . getmypid();
@mkdir($dir, 0700);
$cache = "$dir/cache";
mkdir($cache, 0700);

// 1. None: empty include_path, no ini setting.
set_include_path($dir . '/nowhere');
$r = section();
var_dump(preg_match('/^\d+\.\d+\.\d+$/', $r['version']) === 1);
var_dump(str_starts_with($r['OpenSSL in use'], 'OpenSSL 3'));
// the paygent.so in use (a copy under /usr/local would shadow the package's)
var_dump(str_ends_with($r['loaded from'], '.so') && is_file($r['loaded from']));
var_dump(str_starts_with($r['properties file'], 'none: modenv_properties.php is not on include_path'));
var_dump($r['log file'], $r['debug (debug_flg)']);

// 2. Found through include_path, with log, debug and the cache directory set.
function props($dir, $extra) {
    file_put_contents("$dir/modenv_properties.php", "<?php\npaygentB2Bmodule.client_file_path=$dir/client.pem\n"
        . "paygentB2Bmodule.ca_file_path=$dir/ca.pem\npaygentB2Bmodule.timeout_value=35\n"
        . "paygentB2Bmodule.select_max_cnt=2000\n$extra?>\n");
}
props($dir, "paygentB2Bmodule.log_output_path=$dir/paygent.log\npaygentB2Bmodule.debug_flg=1\n"
    . "paygentB2Bmodule.session_cache_dir=$cache\n");
set_include_path($dir);
$r = section();
var_dump($r['properties file'] === "$dir/modenv_properties.php");
var_dump($r['TLS session cache'] === "$cache (usable)");
var_dump($r['log file'] === "$dir/paygent.log", $r['debug (debug_flg)']);

// 3. The cache setting names a file; the cache is off.
file_put_contents("$dir/notadir", "x");
props($dir, "paygentB2Bmodule.log_output_path=$dir/other.log\npaygentB2Bmodule.session_cache_dir=$dir/notadir\n");
$r = section();
var_dump($r['TLS session cache'] === "not usable: $dir/notadir: not a directory (cache off)");
var_dump($r['log file'] === "$dir/other.log", $r['debug (debug_flg)']);
props($dir, "paygentB2Bmodule.log_output_path=$dir/other.log\npaygentB2Bmodule.session_cache_dir=off\n");
var_dump(section()['TLS session cache']);

// 4. paygent.properties_file names a missing file.
ini_set('paygent.properties_file', "$dir/missing.php");
var_dump(section()['properties file'] === "$dir/missing.php (paygent.properties_file): no such file");

foreach (["$dir/modenv_properties.php", "$dir/notadir"] as $f) unlink($f);
rmdir($cache);
rmdir($dir);
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
string(27) "(no properties file loaded)"
string(27) "(no properties file loaded)"
bool(true)
bool(true)
bool(true)
string(2) "on"
bool(true)
bool(true)
string(3) "off"
string(3) "off"
bool(true)
