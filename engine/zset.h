// Placeholder: the zset type is being written.
#ifndef BASALT_ENGINE_ZSET_H_
#define BASALT_ENGINE_ZSET_H_
#endif
