<?php
// One card telegram through the extension (process-per-request measure under php-cgi -q).
require __DIR__ . '/common.inc';
module_telegram('card');
