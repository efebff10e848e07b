package server

import "net/http"

type homePage struct{ Page Page }

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "home", &homePage{Page: s.page(w, r, "Home")})
}
