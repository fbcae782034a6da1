<?php
// Test helper of tests/examples/failure.sh: a TLS relay in front of paygent-sim, so that the
// examples of examples/failure/ run unchanged — they send no sim_fault and hold no card number.
//     php fault-relay.php PKI_DIR SIM_PORT LISTEN READY_FILE FAULTS_FILE
// It serves the simulator's server certificate on LISTEN (127.0.0.1:0 for a free port, written
// to READY_FILE) and relays each request, one per connection, to the simulator on SIM_PORT with
// the test client certificate, after two changes to the telegram body:
//   - card_token=TOKEN becomes card_number=NUMBER, the simulator's documented test card for that
//     token (the simulator knows card numbers only, the examples send a token as shops do);
//   - sim_fault=FAULT is added when FAULTS_FILE has a line "TELEGRAM_KIND FAULT" for the
//     telegram's kind (the file is read for each request; the test rewrites it per order).
// The reply, whole or cut as the simulator's fault made it, is relayed until the simulator
// closes, then the connection is closed.
[, $pki, $simPort, $listen, $ready, $faultsFile] = $argv;
const TEST_CARDS = ['tok_test_approve' => '4111111111111111', 'tok_test_decline' => '4000000000000002'];

$server = stream_socket_server("tls://$listen", $errno, $errstr,
    STREAM_SERVER_BIND | STREAM_SERVER_LISTEN, stream_context_create(['ssl' => [
        'local_cert' => "$pki/server.pem", 'local_pk' => "$pki/server.key",
        'verify_peer' => false,              // the simulator checks the client certificate
        'crypto_method' => STREAM_CRYPTO_METHOD_TLSv1_2_SERVER | STREAM_CRYPTO_METHOD_TLSv1_3_SERVER,
    ]]));
if (!$server) {
    fwrite(STDERR, "fault-relay: $listen: $errstr\n");
    exit(1);
}
$port = substr(strrchr(stream_socket_get_name($server, false), ':'), 1);
file_put_contents("$ready.tmp", $port);
rename("$ready.tmp", $ready);
$upstream = stream_context_create(['ssl' => [
    'local_cert' => "$pki/client.crt", 'local_pk' => "$pki/client.key",
    'cafile' => "$pki/ca.pem", 'peer_name' => '127.0.0.1',
]]);

while (true) {
    $client = @stream_socket_accept($server, -1);
    if (!$client) {
        continue;                            // a handshake that failed
    }
    stream_set_timeout($client, 30);
    $head = '';
    while (($line = fgets($client)) !== false && $line !== "\r\n") {
        $head .= $line;
    }
    preg_match('/^Content-Length:\s*(\d+)/mi', $head, $m);
    $body = '';
    while (strlen($body) < (int) ($m[1] ?? 0) && !feof($client)) {
        $body .= fread($client, (int) $m[1] - strlen($body));
    }
    $body = preg_replace_callback('/(^|&)card_token=([^&]*)/',
        fn($t) => $t[1] . 'card_number=' . (TEST_CARDS[urldecode($t[2])] ?? 'unknown-token'), $body);
    parse_str($body, $form);
    foreach (@file($faultsFile, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) ?: [] as $rule) {
        [$kind, $fault] = explode(' ', $rule, 2);
        if ($kind === ($form['telegram_kind'] ?? '')) {
            $body .= '&sim_fault=' . urlencode($fault);
        }
    }
    fwrite(STDERR, sprintf("%s %s %s\n", $form['telegram_kind'] ?? '-', $form['trading_id'] ?? '-',
        preg_match('/&sim_fault=(.*)$/', $body, $f) ? urldecode($f[1]) : 'no fault'));
    $head = preg_replace('/^(Content-Length|Connection):.*\r\n/mi', '', $head);
    $sim = stream_socket_client("tls://127.0.0.1:$simPort", $errno, $errstr, 10,
        STREAM_CLIENT_CONNECT, $upstream);
    if ($sim) {
        stream_set_timeout($sim, 30);
        fwrite($sim, $head . 'Content-Length: ' . strlen($body) . "\r\nConnection: close\r\n\r\n" . $body);
        while (!feof($sim) && ($data = @fread($sim, 65536)) !== false && $data !== '') {
            fwrite($client, $data);
        }
        fclose($sim);
    }
    fclose($client);
}
