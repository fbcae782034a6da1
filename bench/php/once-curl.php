<?php
// One card telegram through curl with a fresh handle and HTTP/1.0 (the official module's
// transport pattern): the same-run baseline of once.php under php-cgi -q.
require __DIR__ . '/curl.inc';
curl_telegram('card');
