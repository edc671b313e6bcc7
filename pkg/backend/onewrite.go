package backend

import "net/http"

// oneWrite, a middleware of both SDKs, lets net/http send a request in one
// write. openai-go wraps every request body in a type of its own (to close
// it once across retries), and net/http flushes the headers on their own,
// a write and a TCP segment before the body, for any body it cannot tell
// is already in memory (transferWriter.FlushHeaders): the upstream reads
// the request in two parts. The SDKs set GetBody for the bodies we give
// them ([]byte), and its reader is one net/http recognises.
// (anthropic-sdk-go sends its bodies in one write today; this keeps it so.)
func oneWrite(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	if req.GetBody != nil && req.Body != nil && req.Body != http.NoBody && req.ContentLength > 0 {
		if b, err := req.GetBody(); err == nil { // else keep the SDK's body: two writes
			_ = req.Body.Close()
			req.Body = b
		}
	}
	return next(req)
}
