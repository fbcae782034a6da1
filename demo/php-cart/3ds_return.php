<?php
// term_url of 3-D Secure: the issuer's ACS posts the authentication result back here, and the
// cart sends it on (telegram 024, request after 3-D Secure).
include_once "jp/co/ks/merchanttool/connectmodule/entity/ResponseDataFactory.php";
include_once "jp/co/ks/merchanttool/connectmodule/system/PaygentB2BModule.php";
include_once "inc/shop.php";

$p = new PaygentB2BModule();
$r = $p->init();
if ($r === true) {
    $p->reqPut("merchant_id", SHOP_MERCHANT_ID);
    $p->reqPut("telegram_version", SHOP_TELEGRAM_VERSION);
    $p->reqPut("telegram_kind", "024");
    foreach ($_POST as $k => $v) {
        $p->reqPut($k, $v);
    }
    $r = $p->post();
}
page_start('3-Dセキュア認証結果');
if ($r !== true) {
    echo '<div id="result" class="ng" data-status="module_error" data-code="' . h((string)$r) . '">'
        . 'モジュールエラー: ' . h((string)$r) . '</div>';
} elseif ($p->getResultStatus() !== "0") {
    echo '<div id="result" class="ng" data-status="declined" data-code="' . h($p->getResponseCode()) . '">'
        . 'エラーコード: ' . h($p->getResponseCode()) . ' ' . h(sjis2utf8($p->getResponseDetail())) . '</div>';
} else {
    echo '<div id="result" class="ok" data-status="authorized">認証が完了しました。</div>';
    if ($p->hasResNext()) {
        record_table($p->resNext());
    }
}
page_end();
