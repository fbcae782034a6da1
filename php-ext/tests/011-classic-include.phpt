--TEST--
Classic code: the manual's include_once lines through include_path + shims; modenv_properties.php found through include_path
--EXTENSIONS--
paygent
--FILE--
<?php
$conf = sys_get_temp_dir() . '/paygent-classic-' . getmypid();
@mkdir($conf);
file_put_contents("$conf/modenv_properties.php", "<?php\npaygentB2Bmodule.client_file_path=/x/client.pem\n"
    . "paygentB2Bmodule.ca_file_path=/x/ca.pem\npaygentB2Bmodule.timeout_value=35\n"
    . "paygentB2Bmodule.log_output_path=\npaygentB2Bmodule.select_max_cnt=2000\n"
    . "paygentB2Bmodule.url.02=https://127.0.0.1:1/n/card/request\n?>\n");
set_include_path(__DIR__ . '/../shim/classic' . PATH_SEPARATOR . $conf);

include_once("jp/co/ks/merchanttool/connectmodule/entity/ResponseDataFactory.php");
include_once("jp/co/ks/merchanttool/connectmodule/system/PaygentB2BModule.php");
include_once("jp/co/ks/merchanttool/connectmodule/exception/PaygentB2BModuleConnectException.php");
include_once("jp/co/ks/merchanttool/connectmodule/exception/PaygentB2BModuleException.php");
// Every path of protocol.md §1.1 resolves.
foreach (['system/PaygentB2BModuleResources', 'entity/ResponseData', 'entity/PaymentResponseDataImpl',
          'entity/ReferenceResponseDataImpl', 'entity/FilePaymentResponseDataImpl', 'util/CSVTokenizer',
          'util/CSVWriter', 'util/HttpsRequestSender', 'util/PaygentB2BModuleLogger',
          'util/StringUtil', 'util/Encoder'] as $f) {
    if (!include_once("jp/co/ks/merchanttool/connectmodule/$f.php")) echo "missing $f\n";
}

$p = new PaygentB2BModule();
var_dump($p->init());
var_dump($p->getTimeout(), $p->getSelectMaxCnt());

// A broken file on include_path is found too: E01002, not E01001.
file_put_contents("$conf/modenv_properties.php", "<?php\npaygentB2Bmodule.timeout_value=35s\n?>\n");
clearstatcache();
var_dump(@$p->init());
unlink("$conf/modenv_properties.php");
rmdir($conf);
?>
--EXPECT--
bool(true)
string(2) "35"
string(4) "2000"
string(6) "E01002"
