--TEST--
Global constants of the V1 module (protocol.md §1.2)
--EXTENSIONS--
paygent
--FILE--
<?php
$codes = [
    'PaygentB2BModuleException__RESOURCE_FILE_NOT_FOUND_ERROR' => 'E01001',
    'PaygentB2BModuleException__RESOURCE_FILE_REQUIRED_ERROR' => 'E01002',
    'PaygentB2BModuleException__CSV_OUTPUT_ERROR' => 'E01004',
    'PaygentB2BModuleException__FILE_PAYMENT_ERROR' => 'E01005',
    'PaygentB2BModuleException__ENCODING_ERROR' => 'E01006',
    'PaygentB2BModuleException__OTHER_ERROR' => 'E01901',
    'PaygentB2BModuleConnectException__MODULE_PARAM_REQUIRED_ERROR' => 'E02001',
    'PaygentB2BModuleConnectException__TEREGRAM_PARAM_REQUIRED_ERROR' => 'E02002',
    'PaygentB2BModuleConnectException__TEREGRAM_PARAM_OUTSIDE_ERROR' => 'E02003',
    'PaygentB2BModuleConnectException__CERTIFICATE_ERROR' => 'E02004',
    'PaygentB2BModuleConnectException__KS_CONNECT_ERROR' => 'E02005',
    'PaygentB2BModuleConnectException__RESPONSE_TYPE_ERROR' => 'E02007',
    'PaygentB2BModuleConnectException__serialVersionUID' => 1,
    'PaygentB2BModuleException__serialVersionUID' => 1,
    'PaygentB2BModule__TELEGRAM_KEY_LENGTH' => 8190,
    'PaygentB2BModule__TELEGRAM_VALUE_LENGTH' => 102400,
    'PaygentB2BModule__TELEGRAM_LENGTH' => 102400,
    'PaygentB2BModule__TELEGRAM_LENGTH_FILE' => 10485760,
    'PaygentB2BModule__CONNECT_ID_KEY' => 'connect_id',
    'PaygentB2BModule__CONNECT_PASSWORD_KEY' => 'connect_password',
    'PaygentB2BModule__TELEGRAM_KIND_KEY' => 'telegram_kind',
    'PaygentB2BModule__LIMIT_COUNT_KEY' => 'limit_count',
    'PaygentB2BModule__DATA_KEY' => 'data',
    'PaygentB2BModule__RESULT_STATUS_ERROR' => '1',
    'PaygentB2BModule__RESPONSE_CODE_9003' => '9003',
    'PaygentB2BModule__TELEGRAM_KIND_FILE_PAYMENT_RES' => '201',
    'PaygentB2BModuleResources__PROPERTIES_FILE_NAME' => 'modenv_properties.php',
    'PaygentB2BModuleResources__TELEGRAM_KIND_SEPARATOR' => ',',
    'PaygentB2BModuleResources__TELEGRAM_KIND_FIRST_CHARS' => 2,
    'PaygentB2BModuleResources__URL_COMM' => 'paygentB2Bmodule.url.',
    'PaygentB2BModuleResources__CLIENT_FILE_PATH' => 'paygentB2Bmodule.client_file_path',
    'PaygentB2BModuleResources__TELEGRAM_KIND_REFS' => 'paygentB2Bmodule.telegram_kind.ref',
    'PaygentB2BModuleResources__NOT_USE_CA_CERT' => 'paygentB2Bmodule.not_use_ca_cert',
    'CSVTokenizer__DEF_SEPARATOR' => ',',
    'CSVTokenizer__DEF_ITEM_ENVELOPE' => '"',
    'CSVTokenizer__NO_ITEM_ENVELOPE' => "\0",
    'CSVWriter__ENCODING_MS932' => 'SJIS-win',
    'CSVWriter__WINDOWS_NEWLINE' => "\r\n",
    'CSVWriter__MAC_NEWLINE' => "\r",
    'ResponseData__HTML_ITEM' => '_html',
    'PaymentResponseDataImpl__PROPERTIES_REGEX_COUNT' => 2,
    'ReferenceResponseDataImpl__LINENO_TRAILER' => '4',
    'ReferenceResponseDataImpl__LINE_HEADER_RESPONSE_DETAIL' => 3,
    'FilePaymentResponseDataImpl__LINE_HEADER_RESULT' => 6,
    'FilePaymentResponseDataImpl__LINE_SEPARATOR' => "\r\n",
    'HttpsRequestSender__CURLE_SSL_CACERT_BADFILE' => 77,
    'HttpsRequestSender__HTTP_STATUS_INIT_VALUE' => -1,
    'HttpsRequestSender__CONTENT_TYPE' => 'Content-Type=application/x-www-form-urlencoded',
    'HttpsRequestSender__MASK_STRING' => 'X',
];
$bad = 0;
foreach ($codes as $name => $want) {
    if (!defined($name)) { echo "undefined $name\n"; $bad++; continue; }
    if (constant($name) !== $want) { echo "$name = ", var_export(constant($name), true), "\n"; $bad++; }
}
echo count($codes), " checked, $bad wrong\n";
// The legacy code compares post() results with the constants.
var_dump(PaygentB2BModuleConnectException__KS_CONNECT_ERROR === 'E02005');
$all = get_defined_constants(true)['paygent'] ?? [];
var_dump(count($all) >= 90);
?>
--EXPECT--
49 checked, 0 wrong
bool(true)
bool(true)
