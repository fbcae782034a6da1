<?php
include_once "inc/shop.php";

$cart = cart_load();
$action = isset($_POST['action']) ? $_POST['action'] : '';
if ($action == 'add' && isset($_POST['id']) && isset($GLOBALS['CATALOG'][$_POST['id']])) {
    $qty = isset($_POST['qty']) && ctype_digit($_POST['qty']) ? (int)$_POST['qty'] : 1;
    $id = $_POST['id'];
    $cart[$id] = min(99, (isset($cart[$id]) ? $cart[$id] : 0) + max(1, $qty));
    cart_save($cart);
} elseif ($action == 'clear') {
    $cart = array();
    cart_save($cart);
}

page_start('カート');
if (count($cart) == 0) {
    echo "<p id=\"cart\" data-items=\"0\">カートは空です。</p>\n";
} else {
    echo "<div id=\"cart\" data-items=\"" . array_sum($cart) . "\">";
    cart_table($cart);
    echo "</div><p><a href=\"checkout.php\">お支払いへ進む</a></p>"
        . "<form method=\"post\" action=\"cart.php\"><input type=\"hidden\" name=\"action\" value=\"clear\">"
        . "<input type=\"submit\" value=\"カートを空にする\"></form>\n";
}
page_end();
