// Placeholder: the set type is being written.
#ifndef BASALT_ENGINE_SET_H_
#define BASALT_ENGINE_SET_H_
#endif
