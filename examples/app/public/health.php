<?php
// Load balancer health check: 200 while the app tree is in place.
header('Content-Type: text/plain');
echo "ok\n";
