<?php

// Stubs for paygent

namespace {
    const CSVTokenizer__DEF_ITEM_ENVELOPE = '"';

    const CSVTokenizer__DEF_SEPARATOR = ',';

    const CSVTokenizer__NO_ITEM_ENVELOPE = "\x00";

    const CSVWriter__ENCODING_EUC = 'EUC_JP';

    const CSVWriter__ENCODING_MS932 = 'SJIS-win';

    const CSVWriter__ENCODING_SJIS = 'Shift_JIS';

    const CSVWriter__MAC_NEWLINE = "\r";

    const CSVWriter__UNIX_NEWLINE = "\n";

    const CSVWriter__WINDOWS_NEWLINE = "\r\n";

    const FilePaymentResponseDataImpl__LINENO_HEADER = '1';

    const FilePaymentResponseDataImpl__LINE_HEADER_RESPONSE_CODE = 7;

    const FilePaymentResponseDataImpl__LINE_HEADER_RESPONSE_DETAIL = 8;

    const FilePaymentResponseDataImpl__LINE_HEADER_RESULT = 6;

    const FilePaymentResponseDataImpl__LINE_RECORD_DIVISION = 0;

    const FilePaymentResponseDataImpl__LINE_SEPARATOR = "\r\n";

    const HttpsRequestSender__CONTENT_LENGTH = 'Content-Length';

    const HttpsRequestSender__CONTENT_TYPE = 'Content-Type=application/x-www-form-urlencoded';

    const HttpsRequestSender__CRLF = "\r\n";

    const HttpsRequestSender__CURLE_COULDNT_CONNECT = 7;

    const HttpsRequestSender__CURLE_HTTP_RETURNED_ERROR = 22;

    const HttpsRequestSender__CURLE_SSL_CACERT = 60;

    const HttpsRequestSender__CURLE_SSL_CACERT_BADFILE = 77;

    const HttpsRequestSender__CURLE_SSL_CERTPROBLEM = 58;

    const HttpsRequestSender__DEFAULT_ENCODING = 'SJIS-win';

    const HttpsRequestSender__DEFAULT_PORT = 443;

    const HttpsRequestSender__HTTP = 'HTTP';

    const HttpsRequestSender__HTTP_1_0 = 'HTTP/1.0';

    const HttpsRequestSender__HTTP_1_0_200 = 'HTTP/1.0 200';

    const HttpsRequestSender__HTTP_ENCODING = 'charset=Windows-31J';

    const HttpsRequestSender__HTTP_PARTIAL_CONTENT = 206;

    const HttpsRequestSender__HTTP_STATUS_INIT_VALUE = -1;

    const HttpsRequestSender__HTTP_SUCCESS = 200;

    const HttpsRequestSender__MASK_STRING = 'X';

    const HttpsRequestSender__POST = 'POST';

    const HttpsRequestSender__REGEXPSTATUS_LEN = 3;

    const HttpsRequestSender__TELEGRAM_LENGTH = 10240;

    const HttpsRequestSender__USER_AGENT = 'User-Agent';

    /**
     * The connection-module object.
     */
    class PaygentB2BModule {
        public mixed $defaultId = null;

        public mixed $defaultPassword = null;

        /**
         * `$p->responseData`: `null` before a reply, else a snapshot object with the official
         * ResponseData fields `resultStatus`, `responseCode`, `responseDetail` and `data` (records).
         *
         * @var mixed
         */
        public readonly mixed $responseData;

        public mixed $resultCsv = null;

        /**
         * `$p->resultMessage`, as `getResultMessage()`.
         *
         * @var mixed
         */
        public readonly mixed $resultMessage;

        public mixed $selectMaxCnt = null;

        public mixed $sendFilePath = null;

        /**
         * `$p->telegramKind`: the kind captured by the last `post()`.
         *
         * @var mixed
         */
        public readonly mixed $telegramKind;

        /**
         * `$p->telegramParam`: the parameters in insertion order.
         *
         * @var mixed
         */
        public readonly mixed $telegramParam;

        public mixed $timeout = null;

        public function __construct() {}

        /**
         * Extension: ask the gateway (094 payment information inquiry) about the last telegram's
         * `trading_id` / `payment_id`. Returns `['outcome' => 'found', 'payment_id' => …,
         * 'trading_id' => …, 'payment_type' => …, 'payment_status' => …, 'payment_amount' => …]`,
         * `['outcome' => 'not_found']` (not yet, at least) or `['outcome' => 'unknown', 'reason' =>
         * …]`. The object's parameters and reply are left as they are.
         *
         * @return mixed
         */
        public function confirm() {}

        /**
         * @return mixed
         */
        public function getDefaultId() {}

        /**
         * @return mixed
         */
        public function getDefaultPassword() {}

        /**
         * Extension (not in the official module): where the last `post()` broke off —
         * `"not_sent"` (nothing left this process: safe to send again), `"maybe_sent"` (the gateway
         * may have processed it: `confirm()`, never resend blindly), or `""` (no failure, or the
         * gateway's answer was read).
         *
         * @return mixed
         */
        public function getFailurePhase() {}

        /**
         * `response_code` of the last reply (raw bytes), `null` before a reply.
         *
         * @return mixed
         */
        public function getResponseCode() {}

        /**
         * `response_detail` of the last reply (raw Windows-31J bytes), `null` before a reply.
         *
         * @return mixed
         */
        public function getResponseDetail() {}

        /**
         * @return mixed
         */
        public function getResultCsv() {}

        /**
         * Human-readable outcome of the last call (§5.4); `null` before any.
         *
         * @return mixed
         */
        public function getResultMessage() {}

        /**
         * `"0"`/`"1"` of the last reply (raw bytes), `null` before a reply.
         *
         * @return mixed
         */
        public function getResultStatus() {}

        /**
         * @return mixed
         */
        public function getSelectMaxCnt() {}

        /**
         * @return mixed
         */
        public function getSendFilePath() {}

        /**
         * @return mixed
         */
        public function getTimeout() {}

        /**
         * @return mixed
         */
        public function hasResNext() {}

        /**
         * Load `modenv_properties.php`: `true`, or `"E01001"` (not found) / `"E01002"` (invalid).
         *
         * @return mixed
         */
        public function init() {}

        /**
         * Send the telegram: `true` when a reply was read (check `getResultStatus()`), else the
         * error code string.
         *
         * @return mixed
         */
        public function post() {}

        /**
         * A stored parameter; a missing key warns (`Undefined array key`) and gives `null`.
         *
         * @param mixed $key
         * @return mixed
         */
        public function reqGet(mixed $key) {}

        /**
         * Store a telegram parameter. Only `null` becomes `""` (decisions.md 7); numbers and
         * booleans are converted like PHP's string conversion; arrays and objects without
         * `__toString()` are stored as `""` with a warning. An array or object key is ignored
         * with a warning (PHP: "Illegal offset type").
         *
         * @param mixed $key
         * @param mixed $value
         * @return mixed
         */
        public function reqPut(mixed $key, mixed $value) {}

        /**
         * The next record as an ordered array of binary strings; `null` past the end.
         *
         * @return mixed
         */
        public function resNext() {}

        /**
         * @param mixed $value
         * @return mixed
         */
        public function setDefaultId(mixed $value) {}

        /**
         * @param mixed $value
         * @return mixed
         */
        public function setDefaultPassword(mixed $value) {}

        /**
         * V3: `null`, or `"E01006"` for anything but `UTF-8`, `Shift_JIS`, `EUC-JP`.
         *
         * @param mixed $encoding
         * @return mixed
         */
        public function setEncoding(mixed $encoding) {}

        /**
         * @param mixed $value
         * @return mixed
         */
        public function setResultCsv(mixed $value) {}

        /**
         * @param mixed $value
         * @return mixed
         */
        public function setSelectMaxCnt(mixed $value) {}

        /**
         * @param mixed $value
         * @return mixed
         */
        public function setSendFilePath(mixed $value) {}

        /**
         * @param mixed $value
         * @return mixed
         */
        public function setTimeout(mixed $value) {}
    }

    class PaygentB2BModuleConnectException {
        /**
         * `$e->errorCode` (read-only).
         *
         * @var mixed
         */
        public readonly mixed $errorCode;

        /**
         * `($errCode, $msg = null)`; `$msg` is ignored, as in the original.
         *
         * @param mixed $err_code
         * @param mixed $msg
         */
        public function __construct(mixed $err_code, mixed $msg = null) {}

        /**
         * @return mixed
         */
        public function getErrorCode() {}

        /**
         * Empty in the original: returns `null`.
         *
         * @return mixed
         */
        public function getLocalizedMessage() {}
    }

    const PaygentB2BModuleConnectException__CERTIFICATE_ERROR = 'E02004';

    const PaygentB2BModuleConnectException__KS_CONNECT_ERROR = 'E02005';

    const PaygentB2BModuleConnectException__MODULE_PARAM_REQUIRED_ERROR = 'E02001';

    const PaygentB2BModuleConnectException__RESPONSE_TYPE_ERROR = 'E02007';

    const PaygentB2BModuleConnectException__TEREGRAM_PARAM_OUTSIDE_ERROR = 'E02003';

    const PaygentB2BModuleConnectException__TEREGRAM_PARAM_REQUIRED_ERROR = 'E02002';

    const PaygentB2BModuleConnectException__serialVersionUID = 1;

    class PaygentB2BModuleException {
        /**
         * `$e->errorCode` (read-only).
         *
         * @var mixed
         */
        public readonly mixed $errorCode;

        /**
         * `($errCode, $msg = null)`; `$msg` is ignored, as in the original.
         *
         * @param mixed $err_code
         * @param mixed $msg
         */
        public function __construct(mixed $err_code, mixed $msg = null) {}

        /**
         * @return mixed
         */
        public function getErrorCode() {}

        /**
         * Empty in the original: returns `null`.
         *
         * @return mixed
         */
        public function getLocalizedMessage() {}
    }

    const PaygentB2BModuleException__CSV_OUTPUT_ERROR = 'E01004';

    const PaygentB2BModuleException__ENCODING_ERROR = 'E01006';

    const PaygentB2BModuleException__FILE_PAYMENT_ERROR = 'E01005';

    const PaygentB2BModuleException__OTHER_ERROR = 'E01901';

    const PaygentB2BModuleException__RESOURCE_FILE_NOT_FOUND_ERROR = 'E01001';

    const PaygentB2BModuleException__RESOURCE_FILE_REQUIRED_ERROR = 'E01002';

    const PaygentB2BModuleException__serialVersionUID = 1;

    const PaygentB2BModuleResources__CA_FILE_PATH = 'paygentB2Bmodule.ca_file_path';

    const PaygentB2BModuleResources__CLIENT_FILE_PATH = 'paygentB2Bmodule.client_file_path';

    const PaygentB2BModuleResources__DEBUG_FLG = 'paygentB2Bmodule.debug_flg';

    const PaygentB2BModuleResources__DEFAULT_ID = 'paygentB2Bmodule.default_id';

    const PaygentB2BModuleResources__DEFAULT_PASSWORD = 'paygentB2Bmodule.default_password';

    const PaygentB2BModuleResources__LOG_OUTPUT_PATH = 'paygentB2Bmodule.log_output_path';

    const PaygentB2BModuleResources__NOT_USE_CA_CERT = 'paygentB2Bmodule.not_use_ca_cert';

    const PaygentB2BModuleResources__NOT_USE_CLIENT_CERT = 'paygentB2Bmodule.not_use_client_cert';

    const PaygentB2BModuleResources__PROPERTIES_FILE_NAME = 'modenv_properties.php';

    const PaygentB2BModuleResources__PROXY_SERVER_IP = 'paygentB2Bmodule.proxy_server_ip';

    const PaygentB2BModuleResources__PROXY_SERVER_NAME = 'paygentB2Bmodule.proxy_server_name';

    const PaygentB2BModuleResources__PROXY_SERVER_PORT = 'paygentB2Bmodule.proxy_server_port';

    const PaygentB2BModuleResources__SELECT_MAX_CNT = 'paygentB2Bmodule.select_max_cnt';

    const PaygentB2BModuleResources__TELEGRAM_KIND_FIRST_CHARS = 2;

    const PaygentB2BModuleResources__TELEGRAM_KIND_REFS = 'paygentB2Bmodule.telegram_kind.ref';

    const PaygentB2BModuleResources__TELEGRAM_KIND_SEPARATOR = ',';

    const PaygentB2BModuleResources__TELEGRAM_KIND_UTF8 = 'paygentB2Bmodule.telegram_kind.utf8';

    const PaygentB2BModuleResources__TIMEOUT_VALUE = 'paygentB2Bmodule.timeout_value';

    const PaygentB2BModuleResources__URL_COMM = 'paygentB2Bmodule.url.';

    const PaygentB2BModule__CONNECT_ID_KEY = 'connect_id';

    const PaygentB2BModule__CONNECT_PASSWORD_KEY = 'connect_password';

    const PaygentB2BModule__DATA_KEY = 'data';

    const PaygentB2BModule__LIMIT_COUNT_KEY = 'limit_count';

    const PaygentB2BModule__RESPONSE_CODE_9003 = '9003';

    const PaygentB2BModule__RESULT_STATUS_ERROR = '1';

    const PaygentB2BModule__TELEGRAM_KEY_LENGTH = 8190;

    const PaygentB2BModule__TELEGRAM_KIND_FILE_PAYMENT_RES = '201';

    const PaygentB2BModule__TELEGRAM_KIND_KEY = 'telegram_kind';

    const PaygentB2BModule__TELEGRAM_LENGTH = 102400;

    const PaygentB2BModule__TELEGRAM_LENGTH_FILE = 10485760;

    const PaygentB2BModule__TELEGRAM_VALUE_LENGTH = 102400;

    const PaymentResponseDataImpl__LINE_SEPARATOR = "\r\n";

    const PaymentResponseDataImpl__PROPERTIES_REGEX = '=';

    const PaymentResponseDataImpl__PROPERTIES_REGEX_COUNT = 2;

    const ReferenceResponseDataImpl__LINENO_DATA = '3';

    const ReferenceResponseDataImpl__LINENO_DATA_HEADER = '2';

    const ReferenceResponseDataImpl__LINENO_HEADER = '1';

    const ReferenceResponseDataImpl__LINENO_TRAILER = '4';

    const ReferenceResponseDataImpl__LINE_HEADER_RESPONSE_CODE = 2;

    const ReferenceResponseDataImpl__LINE_HEADER_RESPONSE_DETAIL = 3;

    const ReferenceResponseDataImpl__LINE_HEADER_RESULT = 1;

    const ReferenceResponseDataImpl__LINE_RECORD_DIVISION = 0;

    const ReferenceResponseDataImpl__LINE_SEPARATOR = "\r\n";

    const ReferenceResponseDataImpl__LINE_TRAILER_DATA_COUNT = 1;

    const ResponseData__HTML_ITEM = '_html';

    const ResponseData__RESPONSE_CODE = 'response_code';

    const ResponseData__RESPONSE_DETAIL = 'response_detail';

    const ResponseData__RESULT = 'result';

    class_alias(\PaygentB2BModule::class, 'PaygentModule\System\PaygentB2BModule');
    class_alias(\PaygentB2BModuleException::class, 'PaygentModule\Exception\PaygentB2BModuleException');
    class_alias(\PaygentB2BModuleConnectException::class, 'PaygentModule\Exception\PaygentB2BModuleConnectException');
}
