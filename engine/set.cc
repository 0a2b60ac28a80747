#include "engine/set.h"
