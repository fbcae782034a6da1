#!/usr/bin/perl
# Perl CGI checkout: card authorisation (020) then capture (022), written like a classic
# PAYGENT Perl merchant page. Pages are Shift_JIS; PERL5LIB and PAYGENT_PROPERTIES come from
# the web server (SetEnv), paygent.properties also sits beside Paygent/B2B.pm.
use strict;
use warnings;
use utf8;
use Encode qw(encode decode);
use Paygent::B2B;

my %ITEMS = (
    '1' => ['静岡煎茶 100g', 1200],
    '2' => ['有田焼 湯呑み', 2500],
    '3' => ['常滑焼 急須',   4800],
    '4' => ['宇治抹茶 30g',  1800],
);
my $MERCHANT_ID = '000000001';
my $TELEGRAM_VERSION = '1.0';

my %form = read_form();
if (($ENV{REQUEST_METHOD} || 'GET') ne 'POST') {
    page('お支払い (Perl)', form_html());
    exit 0;
}

my $item = $ITEMS{ $form{item} || '' };
my $qty = ($form{qty} || '') =~ /^([1-9]\d?)$/ ? $1 : 1;
my $card = $form{card_number} || '';
$card =~ s/[\s-]//g;
my $term = $form{card_valid_term} || '';
$term =~ s/\D//g;
if (!$item || $card !~ /^\d{14,16}$/ || $term !~ /^(0[1-9]|1[0-2])\d\d$/) {
    result('入力内容を確認してください', 'bad_input', '', '',
        '<p>商品・カード番号(14～16桁)・有効期限(MMYY)を入力してください。</p>');
    exit 0;
}
my $amount = $item->[1] * $qty;
my $trading_id = sprintf('PERL%s%06d', time, int(rand(1000000)));

# 1. Authorisation (020).
my $p = new Paygent::B2B;
$p->reqPuts({
    merchant_id      => $MERCHANT_ID,
    telegram_kind    => '020',
    telegram_version => $TELEGRAM_VERSION,
    trading_id       => $trading_id,
    payment_amount   => $amount,
    card_number      => $card,
    card_valid_term  => $term,
    payment_class    => '10',
});
exit 0 unless sent_ok($p, 'オーソリ');
my $payment_id = $p->{result}{payment_id} || '';

# 2. Capture (022) on a new object.
my $p2 = Paygent::B2B->new;
$p2->reqPuts({
    merchant_id      => $MERCHANT_ID,
    telegram_kind    => '022',
    telegram_version => $TELEGRAM_VERSION,
    trading_id       => $trading_id,
    payment_id       => $payment_id,
});
exit 0 unless sent_ok($p2, '売上', $payment_id);

my $rows = join '', map {
    '<tr><th>' . h($_->[0]) . '</th><td>' . h($_->[1]) . '</td></tr>'
} (['取引ID', $trading_id], ['決済ID', $payment_id], ['商品', "$item->[0] × $qty"],
   ['金額', commify($amount) . '円'], ['カード番号', '************' . substr($card, -4)]);
result('お支払い完了', 'captured', $payment_id, '',
    "<p>ご注文ありがとうございました。カード決済(オーソリ・売上)が完了しました。</p><table>$rows</table>");
exit 0;

# True when the telegram went through with result=0; otherwise prints the error page.
sub sent_ok {
    my ($m, $step, $pid) = @_;
    if (!$m->post) {
        my $info = module_error_text();
        result('システムエラー', 'module_error', '', '',
            '<p>決済システムとの通信でエラーが発生しました。</p><p class="ng">モジュールエラー: <span id="module_error">'
            . h($info) . '</span></p>');
        return 0;
    }
    return 1 if ($m->{resultStatus} // '') eq '0';
    my $code = $m->{resultCode} // '';
    my $detail = decode('cp932', $m->{resultMsg} // '');
    result('お支払いできませんでした', 'declined', $pid || '', $code,
        '<p>' . h($step) . 'でエラーになりました。</p><p class="ng">エラーコード: <span id="response_code">'
        . h($code) . '</span><br>詳細: <span id="response_detail">' . h($detail) . '</span></p>');
    return 0;
}

sub read_form {
    my $data = $ENV{QUERY_STRING} || '';
    if (($ENV{REQUEST_METHOD} || '') eq 'POST') {
        my $len = $ENV{CONTENT_LENGTH} || 0;
        $len = 65536 if $len > 65536;
        read(STDIN, $data, $len);
    }
    my %f;
    for my $pair (split /[&;]/, $data) {
        my ($k, $v) = split /=/, $pair, 2;
        next unless defined $k;
        for ($k, $v) { $_ = '' unless defined; tr/+/ /; s/%([0-9A-Fa-f]{2})/chr hex $1/ge; }
        $f{$k} = $v;    # Shift_JIS bytes
    }
    return %f;
}

sub h {
    my $s = shift;
    $s =~ s/&/&amp;/g; $s =~ s/</&lt;/g; $s =~ s/>/&gt;/g; $s =~ s/"/&quot;/g;
    return $s;
}

sub commify { my $n = reverse shift; $n =~ s/(\d{3})(?=\d)/$1,/g; return scalar reverse $n }

sub result {
    my ($title, $status, $pid, $code, $body) = @_;
    page($title, qq{<div id="result" data-status="$status" data-payment-id="} . h($pid)
        . qq{" data-code="} . h($code) . qq{">$body</div><p><a href="checkout.cgi">戻る</a></p>});
}

sub form_html {
    my $opts = join '', map { qq{<option value="$_">} . h($ITEMS{$_}[0]) . ' ' . commify($ITEMS{$_}[1]) . '円</option>' }
        sort keys %ITEMS;
    return <<"HTML";
<form method="post" action="checkout.cgi">
<p>商品 <select name="item">$opts</select> 数量 <input type="text" name="qty" value="1" size="2"></p>
<p>カード番号 <input type="text" name="card_number" size="20" value="4111111111111111">
 有効期限(MMYY) <input type="text" name="card_valid_term" size="5" value="1230"></p>
<p><small>テストカード: 4111111111111111 承認 / 4000000000000002 拒否</small></p>
<p><input type="submit" value="注文を確定する"></p>
</form>
HTML
}

sub page {
    my ($title, $body) = @_;
    my $html = <<"HTML";
<!DOCTYPE html>
<html lang="ja"><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">
<title>@{[h($title)]} - お茶の店 デモ (Perl)</title>
<style>body{font-family:sans-serif;max-width:46em;margin:2em auto}table{border-collapse:collapse}
td,th{border:1px solid #aaa;padding:.3em .6em}.ng{color:#b00}</style></head><body>
<h1>お茶の店 デモ (Perl CGI)</h1><p><a href="../index.php">PHP版の店へ</a></p>
<h2>@{[h($title)]}</h2>
$body
</body></html>
HTML
    binmode STDOUT;
    print "Content-Type: text/html; charset=Shift_JIS\r\n\r\n";
    print encode('cp932', $html);
}

# The last module error as text (getInfo may give a list, an array ref or a hash ref).
sub module_error_text {
    my @parts = map { ref $_ eq 'ARRAY' ? @$_ : ref $_ eq 'HASH' ? @{$_}{sort keys %$_} : $_ }
        Paygent::PException::getInfo();
    my $s = join ' ', grep { defined && $_ ne '' } @parts;
    return utf8::is_utf8($s) ? $s : eval { decode('UTF-8', $s, Encode::FB_CROAK | Encode::LEAVE_SRC) } // decode('cp932', $s);
}
