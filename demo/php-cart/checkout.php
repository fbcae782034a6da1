<?php
// Checkout: card (020 authorisation, then 022 capture; 3-D Secure shows the ACS form) or
// convenience store number payment (030). Written like a classic PAYGENT merchant page.
include_once "jp/co/ks/merchanttool/connectmodule/entity/ResponseDataFactory.php";
include_once "jp/co/ks/merchanttool/connectmodule/system/PaygentB2BModule.php";
include_once "inc/shop.php";

$cart = cart_load();
$amount = cart_total($cart);

if ($_SERVER['REQUEST_METHOD'] != 'POST') {
    show_form($cart, $amount);
    exit;
}
if ($amount <= 0) {
    result_page('カートが空です', 'empty', 'ng', array('<p>商品を選んでください。</p>'));
    exit;
}
$method = isset($_POST['method']) ? $_POST['method'] : '';
if ($method == 'card') {
    pay_by_card($cart, $amount);
} elseif ($method == 'cvs') {
    pay_at_store($cart, $amount);
} else {
    result_page('お支払い方法を選んでください', 'bad_input', 'ng', array());
}
exit;

function post_value($name)
{
    return isset($_POST[$name]) ? trim($_POST[$name]) : '';
}

// A module object prepared the classic way; false and an error page when init() fails.
function new_module()
{
    $p = new PaygentB2BModule();
    $r = $p->init();
    if ($r !== true) {
        module_error_page($p, $r);
        return false;
    }
    $p->reqPut("merchant_id", SHOP_MERCHANT_ID);
    $p->reqPut("telegram_version", SHOP_TELEGRAM_VERSION);
    return $p;
}

function pay_by_card($cart, $amount)
{
    $card = preg_replace('/[\s-]/', '', post_value('card_number'));
    $term = preg_replace('/\D/', '', post_value('card_valid_term'));
    if (!preg_match('/^\d{14,16}$/', $card) || !preg_match('/^(0[1-9]|1[0-2])\d\d$/', $term)) {
        result_page('カード情報を確認してください', 'bad_input', 'ng',
            array('<p>カード番号(14～16桁)と有効期限(MMYY)を入力してください。</p>'));
        return;
    }
    $trading_id = new_trading_id();

    // 1. Authorisation (オーソリ), telegram 020.
    if (!($p = new_module())) {
        return;
    }
    $p->reqPut("telegram_kind", "020");
    $p->reqPut("trading_id", $trading_id);
    $p->reqPut("payment_amount", $amount);
    $p->reqPut("card_number", $card);
    $p->reqPut("card_valid_term", $term);
    $p->reqPut("payment_class", "10");
    // 3-D Secure: the gateway answers with the issuer's ACS form when the card is enrolled.
    $p->reqPut("http_accept", isset($_SERVER['HTTP_ACCEPT']) ? $_SERVER['HTTP_ACCEPT'] : '*/*');
    $p->reqPut("http_user_agent", isset($_SERVER['HTTP_USER_AGENT']) ? $_SERVER['HTTP_USER_AGENT'] : '');
    $p->reqPut("term_url", self_url('3ds_return.php'));
    $r = $p->post();
    if ($r !== true) {
        module_error_page($p, $r);
        return;
    }
    if ($p->getResultStatus() !== "0") {
        decline_page($p, 'オーソリ');
        return;
    }
    $auth = $p->hasResNext() ? $p->resNext() : array();
    if (isset($auth['out_acs_html']) && $auth['out_acs_html'] !== '') {
        // Enrolled card: the reply is the page (Shift_JIS bytes, sent unchanged).
        header('Content-Type: text/html; charset=Shift_JIS');
        echo $auth['out_acs_html'];
        return;
    }
    $payment_id = isset($auth['payment_id']) ? $auth['payment_id'] : '';

    // 2. Capture (売上), telegram 022, on a fresh object as carts usually do.
    if (!($p2 = new_module())) {
        return;
    }
    $p2->reqPut("telegram_kind", "022");
    $p2->reqPut("trading_id", $trading_id);
    $p2->reqPut("payment_id", $payment_id);
    $r = $p2->post();
    if ($r !== true) {
        module_error_page($p2, $r);
        return;
    }
    if ($p2->getResultStatus() !== "0") {
        decline_page($p2, '売上', $payment_id);
        return;
    }
    $cap = $p2->hasResNext() ? $p2->resNext() : array();
    cart_save(array());
    ob_start();
    echo "<p>ご注文ありがとうございました。カード決済(オーソリ・売上)が完了しました。</p>";
    echo "<table><tr><th>取引ID</th><td>" . h($trading_id) . "</td></tr>"
        . "<tr><th>決済ID</th><td id=\"payment_id\">" . h($payment_id) . "</td></tr>"
        . "<tr><th>金額</th><td>" . yen($amount) . "</td></tr>"
        . "<tr><th>カード番号</th><td>************" . h(substr($card, -4)) . "</td></tr></table>";
    echo "<h3>売上電文の応答</h3>";
    record_table($cap);
    $body = ob_get_clean();
    result_page('お支払い完了', 'captured', 'ok', array($body), $payment_id);
}

function pay_at_store($cart, $amount)
{
    // Form values arrive as Shift_JIS bytes and go to the module unchanged; the module turns
    // full-width katakana in *_kana items into half-width kana (半角カナ変換).
    $family = post_value('customer_family_name');
    $name = post_value('customer_name');
    $family_kana = post_value('customer_family_name_kana');
    $name_kana = post_value('customer_name_kana');
    $tel = preg_replace('/\D/', '', post_value('customer_tel'));
    $cvs = post_value('cvs_company_id');
    if ($family === '' || $name === '' || $family_kana === '' || $name_kana === '' || $tel === '') {
        result_page('お客様情報を入力してください', 'bad_input', 'ng',
            array('<p>氏名・カナ・電話番号はすべて必須です。</p>'));
        return;
    }
    if (!($p = new_module())) {
        return;
    }
    $trading_id = new_trading_id();
    $p->reqPut("telegram_kind", "030");
    $p->reqPut("trading_id", $trading_id);
    $p->reqPut("payment_amount", $amount);
    $p->reqPut("customer_family_name", $family);
    $p->reqPut("customer_name", $name);
    $p->reqPut("customer_family_name_kana", $family_kana);
    $p->reqPut("customer_name_kana", $name_kana);
    $p->reqPut("customer_tel", $tel);
    $p->reqPut("cvs_company_id", $cvs);
    $p->reqPut("sales_type", "1");
    $p->reqPut("payment_limit_date", "7");
    $r = $p->post();
    if ($r !== true) {
        module_error_page($p, $r);
        return;
    }
    if ($p->getResultStatus() !== "0") {
        decline_page($p, 'コンビニ番号発行');
        return;
    }
    $rec = $p->hasResNext() ? $p->resNext() : array();
    $payment_id = isset($rec['payment_id']) ? $rec['payment_id'] : '';
    cart_save(array());
    ob_start();
    echo "<p>" . h(sjis2utf8($family)) . " " . h(sjis2utf8($name)) . " 様、ご注文ありがとうございました。"
        . "下記の番号でお近くのコンビニエンスストアにて " . yen($amount) . " をお支払いください。</p>";
    record_table($rec);
    $body = ob_get_clean();
    result_page('コンビニ払い受付', 'cvs_issued', 'ok', array($body), $payment_id);
}

function self_url($file)
{
    $dir = rtrim(dirname($_SERVER['SCRIPT_NAME']), '/');
    return 'http://' . $_SERVER['HTTP_HOST'] . $dir . '/' . $file;
}

function decline_page($p, $step, $payment_id = '')
{
    $code = (string)$p->getResponseCode();
    $detail = sjis2utf8($p->getResponseDetail());
    $msg = '<p>' . h($step) . 'でエラーになりました。お手数ですが、入力内容をご確認ください。</p>'
        . '<p class="ng">エラーコード: <span id="response_code">' . h($code) . '</span><br>'
        . '詳細: <span id="response_detail">' . h($detail) . '</span></p>';
    result_page('お支払いできませんでした', 'declined', 'ng', array($msg), $payment_id, $code);
}

function module_error_page($p, $r)
{
    $text = method_exists($p, 'getResultMessage') ? (string)$p->getResultMessage() : '';
    $msg = '<p>決済システムとの通信でエラーが発生しました。</p><p class="ng">モジュールエラー: '
        . '<span id="module_error">' . h((string)$r) . '</span> ' . h($text) . '</p>';
    result_page('システムエラー', 'module_error', 'ng', array($msg), '', (string)$r);
}

function result_page($title, $status, $cls, $parts, $payment_id = '', $code = '')
{
    page_start($title);
    echo '<div id="result" class="' . $cls . '" data-status="' . h($status) . '" data-payment-id="'
        . h($payment_id) . '" data-code="' . h($code) . '">' . implode("\n", $parts) . "</div>\n";
    echo '<p><a href="index.php">買い物を続ける</a></p>';
    page_end();
}

function show_form($cart, $amount)
{
    page_start('お支払い');
    if ($amount <= 0) {
        echo "<p>カートは空です。<a href=\"index.php\">商品一覧へ</a></p>";
        page_end();
        return;
    }
    cart_table($cart);
    echo <<<HTML
<form method="post" action="checkout.php">
<h3><label><input type="radio" name="method" value="card" checked> クレジットカード</label></h3>
<p>カード番号 <input type="text" name="card_number" size="20" value="4111111111111111">
 有効期限(MMYY) <input type="text" name="card_valid_term" size="5" value="1230"></p>
<p><small>テストカード: 4111111111111111 承認 / 4000000000000002 拒否 / 4000000000003220 3-Dセキュア</small></p>
<h3><label><input type="radio" name="method" value="cvs"> コンビニ払い</label></h3>
<p>お名前(姓) <input type="text" name="customer_family_name" value="山田">
 (名) <input type="text" name="customer_name" value="太郎"></p>
<p>フリガナ(姓) <input type="text" name="customer_family_name_kana" value="ヤマダ">
 (名) <input type="text" name="customer_name_kana" value="タロウ"> <small>全角カタカナで入力できます</small></p>
<p>電話番号 <input type="text" name="customer_tel" value="0312345678">
 コンビニ <select name="cvs_company_id"><option value="00C001">セブン-イレブン</option>
 <option value="00C002">ローソン</option><option value="00C004">ファミリーマート</option></select></p>
<p><input type="submit" value="注文を確定する"></p>
</form>
HTML;
    page_end();
}
