//go:build daos

package libdaos

/*
#include "daosgo.h"
*/
import "C"

import (
	"fmt"

	"github.com/daosgo/daosgo/daosgo"
)

// rcErr turns a libdaos return code into a daosgo error naming the call.
func rcErr(rc C.int, format string, args ...any) error {
	if rc == 0 {
		return nil
	}
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), daosgo.ErrnoFromCode(int(rc)))
}
