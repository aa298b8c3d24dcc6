<?php
const APP_VERSION = 'molecule-1';
