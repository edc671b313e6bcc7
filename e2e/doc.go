// Package e2e holds end-to-end tests that drive the built llmcost binary
// with clients in other languages (e2e/node: the official Node.js SDKs).
package e2e
