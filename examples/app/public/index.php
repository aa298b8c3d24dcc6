<?php
// The demo app: which host answered and which release it runs. The release marker is written
// next to public/ by gamestack.aws.rsync_deploy (rsync_deploy_marker, default .release).
$marker = dirname(__DIR__) . '/.release';
$release = is_readable($marker) ? trim(file_get_contents($marker)) : 'unknown';
header('Content-Type: text/plain');
printf("host=%s release=%s php=%s\n", gethostname(), $release, PHP_VERSION);
