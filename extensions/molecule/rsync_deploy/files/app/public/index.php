<?php
require __DIR__ . '/../lib/version.php';
header('Content-Type: text/plain');
echo 'host=' . gethostname() . "\n";
echo 'release=' . trim((string) @file_get_contents(__DIR__ . '/../.release')) . "\n";
echo 'version=' . APP_VERSION . "\n";
