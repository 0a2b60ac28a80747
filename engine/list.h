// Placeholder: the list type is being written.
#ifndef BASALT_ENGINE_LIST_H_
#define BASALT_ENGINE_LIST_H_
#endif
