// Placeholder: the hash type is being written.
#ifndef BASALT_ENGINE_HASH_H_
#define BASALT_ENGINE_HASH_H_
#endif
