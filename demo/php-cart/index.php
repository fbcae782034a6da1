<?php
include_once "inc/shop.php";

$cart = cart_load();
page_start('商品一覧');
echo "<table><tr><th>商品</th><th>価格</th><th></th></tr>\n";
foreach ($GLOBALS['CATALOG'] as $id => $item) {
    echo "<tr><td>" . h($item['name']) . "</td><td>" . yen($item['price']) . "</td><td>"
        . "<form method=\"post\" action=\"cart.php\"><input type=\"hidden\" name=\"action\" value=\"add\">"
        . "<input type=\"hidden\" name=\"id\" value=\"" . h($id) . "\">"
        . "<input type=\"text\" name=\"qty\" value=\"1\" size=\"2\"> "
        . "<input type=\"submit\" value=\"カートに入れる\"></form></td></tr>\n";
}
echo "</table>\n";
$n = array_sum($cart);
echo "<p>カートの中身: " . $n . "点 (" . yen(cart_total($cart)) . ")</p>\n";
page_end();
