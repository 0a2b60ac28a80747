#include "engine/zset.h"
