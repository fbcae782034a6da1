<?php
// Shop helpers, written the way classic carts are: Shift_JIS pages, the catalogue in the source,
// the cart in a cookie. The source is UTF-8; page output is converted to Shift_JIS (Windows-31J)
// on the way out, so bytes that are already Shift_JIS (form input, gateway replies) are turned
// into UTF-8 before they are printed.

include_once "shop_config.php";

$GLOBALS['CATALOG'] = array(
    '1' => array('name' => '静岡煎茶 100g', 'price' => 1200),
    '2' => array('name' => '有田焼 湯呑み', 'price' => 2500),
    '3' => array('name' => '常滑焼 急須', 'price' => 4800),
    '4' => array('name' => '宇治抹茶 30g', 'price' => 1800),
);

function h($s)
{
    return htmlspecialchars($s, ENT_QUOTES, 'UTF-8');
}

// Shift_JIS bytes (POST data, gateway replies) -> UTF-8 for display.
function sjis2utf8($s)
{
    return mb_convert_encoding((string)$s, 'UTF-8', 'SJIS-win');
}

function yen($n)
{
    return number_format($n) . '円';
}

function page_start($title)
{
    header('Content-Type: text/html; charset=Shift_JIS');
    ob_start(function ($buf) {
        return mb_convert_encoding($buf, 'SJIS-win', 'UTF-8');
    });
    echo "<!DOCTYPE html>\n<html lang=\"ja\"><head>";
    echo "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">";
    echo "<title>" . h($title) . " - お茶の店 デモ</title>";
    echo "<style>body{font-family:sans-serif;max-width:46em;margin:2em auto}"
        . "table{border-collapse:collapse}td,th{border:1px solid #aaa;padding:.3em .6em}"
        . ".ng{color:#b00}.ok{color:#070}</style></head><body>\n";
    echo "<h1>お茶の店 デモ</h1><p><a href=\"index.php\">商品一覧</a> | <a href=\"cart.php\">カート</a>"
        . " | <a href=\"checkout.php\">お支払い</a> | <a href=\"perl-cart/checkout.cgi\">Perl版お支払い</a></p>\n";
    echo "<h2>" . h($title) . "</h2>\n";
}

function page_end()
{
    echo "\n<hr><p><small>PAYGENT 接続モジュール互換 (paygent-rs) デモ ― ゲートウェイはローカルのシミュレータです。</small></p></body></html>\n";
    ob_end_flush();
}

// Cart cookie: "id:qty,id:qty".
function cart_load()
{
    $cart = array();
    if (!isset($_COOKIE['cart']) || $_COOKIE['cart'] === '') {
        return $cart;
    }
    foreach (explode(',', $_COOKIE['cart']) as $item) {
        $pair = explode(':', $item);
        if (count($pair) == 2 && isset($GLOBALS['CATALOG'][$pair[0]]) && ctype_digit($pair[1])) {
            $cart[$pair[0]] = min(99, (int)$pair[1]);
        }
    }
    return $cart;
}

function cart_save($cart)
{
    $items = array();
    foreach ($cart as $id => $qty) {
        if ($qty > 0) {
            $items[] = $id . ':' . $qty;
        }
    }
    setcookie('cart', implode(',', $items), 0, '/');
}

function cart_total($cart)
{
    $total = 0;
    foreach ($cart as $id => $qty) {
        $total += $GLOBALS['CATALOG'][$id]['price'] * $qty;
    }
    return $total;
}

function cart_table($cart)
{
    echo "<table><tr><th>商品</th><th>単価</th><th>数量</th><th>小計</th></tr>\n";
    foreach ($cart as $id => $qty) {
        $item = $GLOBALS['CATALOG'][$id];
        echo "<tr><td>" . h($item['name']) . "</td><td>" . yen($item['price']) . "</td><td>" . $qty
            . "</td><td>" . yen($item['price'] * $qty) . "</td></tr>\n";
    }
    echo "<tr><th colspan=\"3\">合計</th><th id=\"total\" data-amount=\"" . cart_total($cart) . "\">"
        . yen(cart_total($cart)) . "</th></tr></table>\n";
}

// A merchant transaction id: alphanumerics and "_", at most 25 characters.
function new_trading_id()
{
    return 'DEMO' . date('YmdHis') . sprintf('%06d', mt_rand(0, 999999));
}

// Gateway reply record as a table; values are Shift_JIS bytes.
function record_table($rec)
{
    echo "<table>";
    foreach ($rec as $k => $v) {
        echo "<tr><th>" . h($k) . "</th><td>" . h(sjis2utf8($v)) . "</td></tr>";
    }
    echo "</table>\n";
}
