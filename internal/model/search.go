package model

// Situation narrows the console's candidate list to the accounts in one
// situation; the empty Situation lists every account, staff and closed
// ones included.
type Situation string

// The situations a candidate list can be narrowed to.
const (
	SituationAny        Situation = ""
	SituationOpen       Situation = "activas"      // candidate accounts not closed by a merge
	SituationInProgress Situation = "en-curso"     // an exam in progress now
	SituationPassed     Situation = "aprobaron"    // at least one passed attempt
	SituationFailed     Situation = "reprobaron"   // at least one failed attempt
	SituationCertified  Situation = "certificadas" // at least one valid certificate
	SituationRevoked    Situation = "revocados"    // at least one revoked certificate
)

// Situations lists them in the order a filter offers them.
var Situations = []Situation{SituationOpen, SituationInProgress, SituationPassed, SituationFailed, SituationCertified, SituationRevoked}

// CandidateSort is an order of the console's candidate list.
type CandidateSort string

// The orders of the candidate list.
const (
	SortNewest CandidateSort = ""         // registration date, newest first
	SortOldest CandidateSort = "antiguos" // registration date, oldest first
	SortName   CandidateSort = "nombre"   // name, A to Z, accents ignored
	SortState  CandidateSort = "estado"   // state A to Z, then name
)

// CandidateSorts lists them in the order a form offers them.
var CandidateSorts = []CandidateSort{SortNewest, SortOldest, SortName, SortState}
