## Environment (installed on first use by the targets that need it):
.PHONY: venv venvs collection-link controller-packages

venv: $(VENV)/.installed collection-link ## the virtualenv of CORE (.venv for 2.19, .venv-2.16 for 2.16)
venvs: $(foreach core,$(CORES),$(VENV_$(core))/.installed) collection-link ## both virtualenvs

# Rebuilt from scratch when its requirements file changes.
$(VENV_2.19)/.installed: requirements/controller-2.19.txt
$(VENV_2.16)/.installed: requirements/controller-2.16.txt
$(foreach core,$(CORES),$(VENV_$(core))/.installed):
	rm -rf $(@D)
	$(PYTHON) -m venv $(@D)
	$(@D)/bin/pip install -q --disable-pip-version-check -r $<
	touch $@

# ansible finds collections under <path>/ansible_collections/<ns>/<name>: link this checkout there.
collection-link: $(COLLECTION_LINK)
$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn ../../.. $@

# bindep is pinned in the 2.19 virtualenv only.
BINDEP := $(CURDIR)/$(VENV_2.19)/bin/bindep

# The controller's system packages of bindep.txt (rsync, the ssh client), installed when missing.
controller-packages: $(VENV_2.19)/.installed
	bash tests/harness/controller-packages.sh $(BINDEP)
