--TEST--
Composer code: vendor/autoload.php + `use PaygentModule\System\PaygentB2BModule`; properties beside the package
--EXTENSIONS--
paygent
--INI--
include_path=/nonexistent-paygent-dir
--FILE--
<?php
// A project with vendor/paygent/connect = the shim package, and a minimal PSR-4 autoloader
// reading the package's composer.json (what `composer install` would generate).
function copy_tree(string $from, string $to): void {
    @mkdir($to, 0777, true);
    foreach (scandir($from) as $e) {
        if ($e === '.' || $e === '..') continue;
        is_dir("$from/$e") ? copy_tree("$from/$e", "$to/$e") : copy("$from/$e", "$to/$e");
    }
}
$project = sys_get_temp_dir() . '/paygent-composer-' . getmypid();
copy_tree(__DIR__ . '/../shim/composer', "$project/vendor/paygent/connect");
file_put_contents("$project/vendor/autoload.php", <<<'PHP'
<?php
spl_autoload_register(function ($class) {
    $json = json_decode(file_get_contents(__DIR__ . '/paygent/connect/composer.json'), true);
    foreach ($json['autoload']['psr-4'] as $prefix => $dir) {
        if (str_starts_with($class, $prefix)) {
            $f = __DIR__ . '/paygent/connect/' . $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($f)) require $f;
        }
    }
});
PHP);
require "$project/vendor/autoload.php";

$pm = "$project/vendor/paygent/connect/src/paygent_module";
var_dump(is_file("$pm/modenv_properties.php.sandbox"));
$p = new \PaygentModule\System\PaygentB2BModule();
// No modenv_properties.php yet: E01001.
var_dump(@$p->init());
// The merchant renames the template: found beside the package.
copy("$pm/modenv_properties.php.sandbox", "$pm/modenv_properties.php");
var_dump($p->init());
var_dump($p->getTimeout());
$e = new \PaygentModule\Exception\PaygentB2BModuleConnectException(PaygentB2BModuleConnectException__KS_CONNECT_ERROR);
var_dump($e->getErrorCode());

// Clean up.
$it = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($project, FilesystemIterator::SKIP_DOTS),
    RecursiveIteratorIterator::CHILD_FIRST);
foreach ($it as $f) { $f->isDir() ? rmdir($f) : unlink($f); }
rmdir($project);
?>
--EXPECT--
bool(true)
string(6) "E01001"
bool(true)
string(2) "35"
string(6) "E02005"
