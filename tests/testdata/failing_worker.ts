// A worker module that fails as it starts: plan_ahead_test checks the fallback to planning inline.
throw new Error("this planning worker fails on purpose");
