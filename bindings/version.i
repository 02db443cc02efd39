/* SPDX-License-Identifier: BSD-3-Clause */
/* bindings/version.i — the generated <seqs/version.h> (from the VERSION file) as
 * constants of seqs_c: SEQS_VERSION_STRING becomes seqs.__version__. */
%{
#include "seqs/version.h"
%}
%include "seqs/version.h"
