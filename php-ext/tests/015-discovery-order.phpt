--TEST--
Properties discovery order at init(): ini paygent.properties_file, then include_path, then the composer layout
--EXTENSIONS--
paygent
--FILE--
<?php
$d = sys_get_temp_dir() . '/paygent-order-' . getmypid();
@mkdir("$d/inc", 0700, true);
@mkdir("$d/ini", 0700, true);
@mkdir("$d/project/vendor/paygent/connect/src/paygent_module", 0700, true);
$props = fn(string $timeout) => "<?php\npaygentB2Bmodule.client_file_path=/x/c.pem\npaygentB2Bmodule.ca_file_path=/x/ca.pem\n"
    . "paygentB2Bmodule.timeout_value=$timeout\npaygentB2Bmodule.log_output_path=\n"
    . "paygentB2Bmodule.select_max_cnt=2000\n?>\n";
file_put_contents("$d/ini/modenv_properties.php", $props('11'));
file_put_contents("$d/inc/modenv_properties.php", $props('22'));
file_put_contents("$d/project/vendor/paygent/connect/src/paygent_module/modenv_properties.php", $props('33'));
file_put_contents("$d/project/vendor/autoload.php", "<?php\n");
require "$d/project/vendor/autoload.php";

$p = new PaygentB2BModule();
set_include_path("$d/inc");
ini_set('paygent.properties_file', "$d/ini/modenv_properties.php");
var_dump($p->init(), $p->getTimeout());          // ini wins
ini_set('paygent.properties_file', '');
var_dump($p->init(), $p->getTimeout());          // then include_path
set_include_path('/nonexistent-paygent-dir');
var_dump($p->init(), $p->getTimeout());          // then composer
ini_set('paygent.properties_file', "$d/ini/missing.php");
var_dump(@$p->init());                           // a set ini is final: E01001, no fall-through

foreach (["ini/modenv_properties.php", "inc/modenv_properties.php",
          "project/vendor/paygent/connect/src/paygent_module/modenv_properties.php",
          "project/vendor/autoload.php"] as $f) unlink("$d/$f");
foreach (["project/vendor/paygent/connect/src/paygent_module", "project/vendor/paygent/connect/src",
          "project/vendor/paygent/connect", "project/vendor/paygent", "project/vendor", "project",
          "ini", "inc", ""] as $dir) rmdir("$d/$dir");
?>
--EXPECT--
bool(true)
string(2) "11"
bool(true)
string(2) "22"
bool(true)
string(2) "33"
string(6) "E01001"
