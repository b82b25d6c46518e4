/*++
 * NAME
 *	rmtree 3h
 * SUMMARY
 *	remove a directory tree relaylab made
 * SYNOPSIS
 *	#include "rmtree.h"
 *	void	rmtree(const char *path)
 * DESCRIPTION
 *	rmtree() removes path and everything beneath it, depth first, as
 *	far as it can: each entry itself, never what a symbolic link in it
 *	points to, and never across into another file system. Every step
 *	is relative to a directory descriptor opened with O_NOFOLLOW, so a
 *	process that still writes in the tree while it goes (a hostile MTA
 *	whose container outlived its run) cannot swap a directory for a
 *	link and turn a removal to a place outside (a path walk, nftw's,
 *	could be). For relaylab's own run, instance and staging
 *	directories, which MTAs may have filled with anything.
 *--*/
#ifndef RMTREE_H
#define RMTREE_H

#ifdef __cplusplus
extern "C" {
#endif

/* rmtree - path and all beneath it, links not followed; best effort */
void rmtree(const char *path);

#ifdef __cplusplus
}
#endif
#endif
