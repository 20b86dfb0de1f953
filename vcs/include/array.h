/*
 * array.h -- growing an array by doubling, the one idiom every growable
 * list in vcs/ and tools/ uses (git's ALLOC_GROW).
 *
 *   if (VCS_ARRAY_GROW(v, cap, n + 1, 16))
 *           return PMDB_ENOMEM;
 *   v[n++] = x;
 *
 * Threads: touches only its arguments. Persistence: DRAM only.
 */
#ifndef VCS_ARRAY_H
#define VCS_ARRAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/**
 * vcs_array_grow -- arr (of *cap elements of size bytes) reallocated to
 * hold at least need elements: the capacity doubles, starting at min,
 * until it does. The caller checks need > *cap first (VCS_ARRAY_GROW).
 * @return the new array, *cap updated; NULL when out of memory (or the
 *  size overflows), with arr still allocated and *cap unchanged.
 */
static inline void *
vcs_array_grow(void *arr, size_t *cap, size_t need, size_t size, size_t min)
{
	size_t nc = *cap ? *cap : (min ? min : 1);
	void *p;

	while (nc < need) {
		if (nc > SIZE_MAX / 2)
			return NULL;
		nc *= 2;
	}
	if (nc > SIZE_MAX / size || !(p = realloc(arr, nc * size)))
		return NULL;
	*cap = nc;
	return p;
}

/**
 * VCS_ARRAY_GROW -- make room for need elements in arr (an lvalue of
 * pointer type; capacity in the size_t lvalue cap, doubled from min).
 * Evaluates its arguments more than once.
 * @return 0 (arr and cap updated when it grew), or -1 when out of
 *  memory: arr and cap are unchanged and arr is still allocated.
 */
#define VCS_ARRAY_GROW(arr, cap, need, min) __extension__ ({             \
	int vcs_rc_ = 0;                                                  \
	if ((need) > (cap)) {                                             \
		void *vcs_p_ = vcs_array_grow((arr), &(cap), (need),       \
					      sizeof(*(arr)), (min));       \
		if (vcs_p_)                                               \
			(arr) = vcs_p_;                                   \
		else                                                      \
			vcs_rc_ = -1;                                     \
	}                                                                 \
	vcs_rc_; })

#endif /* VCS_ARRAY_H */
