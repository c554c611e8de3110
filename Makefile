# engage: PGXS build. The version comes from engage.control alone.
EXTENSION = engage
EXTVERSION = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = engage
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The current version's script is generated; older versions' full scripts and
# the upgrade scripts between versions are kept frozen in sql/.
DATA = $(sort sql/$(EXTENSION)--$(EXTVERSION).sql $(wildcard sql/$(EXTENSION)--*.sql))
EXTRA_CLEAN = sql/$(EXTENSION)--$(EXTVERSION).sql

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/[0-9][0-9]_*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=$(EXTENSION)

PG_CONFIG ?= pg_config
PG_CFLAGS += -Wall -Wextra

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The install script is built from the hand-edited parts in sql/install/,
# one per metric family, concatenated in name order.
INSTALL_PARTS = $(sort $(wildcard sql/install/*.sql))
sql/$(EXTENSION)--$(EXTVERSION).sql: $(INSTALL_PARTS)
	cat $(INSTALL_PARTS) > $@

all: sql/$(EXTENSION)--$(EXTVERSION).sql

# Every object depends on the shared header (PGXS does not track headers).
$(OBJS): $(wildcard src/*.h)
