#include "codec/sortable_double.h"
