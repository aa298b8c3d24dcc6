# Host roles converged in a Debian 12 systemd container (pattern rule molecule-% in mk/harness.mk).
TEST_TARGETS += molecule-tcp_tuning molecule-nscd
