#include "engine/list.h"
