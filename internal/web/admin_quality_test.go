package web

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"mxcert/internal/admin"
	"mxcert/internal/content"
	"mxcert/internal/exam"
)

func TestQualityRowWording(t *testing.T) {
	track := &content.Track{Rules: content.ExamRules{PassPercent: 70, Questions: 40}}
	lo, hi := exam.Wilson(81, 263, exam.Z95) // 0.2553 to 0.3662
	row := newQualityRow(admin.TrackQuality{Track: track, Passed: 81, Finished: 263, PassLow: lo, PassHigh: hi,
		Reliability: exam.Reliability{Attempts: 263, Items: 40, KR20: 0.8234, SEM: 2.43}})
	// 81/263 = 30.8 % is written 30 (rounded down, like the pass mark);
	// the interval is widened to whole points: 25 to 37.
	// The SEM is 2.43 of 40 questions, 6.075 points: scores from 64 to 76
	// are within one SEM of 70.
	want := qualityRow{TrackQuality: row.TrackQuality, PassRate: 30, PassLow: 25, PassHigh: 37,
		KR20: "0.82", SEM: "2.4", SEMPoints: "6.1", NearLow: 64, NearHigh: 76}
	if row != want {
		t.Errorf("row = %+v\nwant  %+v", row, want)
	}
	few := newQualityRow(admin.TrackQuality{Track: track, Reliability: exam.Reliability{Attempts: 29, Items: 40, KR20: 0.8, SEM: 2}})
	if few.KR20 != "" || few.SEM != "" {
		t.Errorf("KR-20 written with 29 attempts: %+v", few)
	}
}

// Once there are enough finished exams, the dashboard shows the
// reliability and the SEM with their plain-language explanations.
func TestDashboardShowsReliability(t *testing.T) {
	env := newEnv(t)
	ctx := context.Background()
	track := env.catalog.Track("ejemplo")
	first := []string{"Ana", "Lucía", "María", "Rosa", "Elena", "Sofía"}
	last := []string{"López", "Pérez", "García", "Hernández", "Martínez"}
	for i := range exam.MinReliabilityAttempts {
		c := env.client(t)
		c.ip = fmt.Sprintf("192.0.2.%d", 100+i) // registrations are limited per address
		c.register(first[i%len(first)]+" "+last[i/len(first)], fmt.Sprintf("c%d@ejemplo.mx", i), goodPassword)
		a := startExam(t, env, c, "ejemplo")
		for j, it := range a.Items {
			answer := it.Item.Key()
			if (i+j)%3 == 0 { // some wrong, so that scores differ
				answer = []int{(answer[0] + 1) % len(it.Item.Options)}
			}
			wantStatus(t, c.post("/examen/"+a.ID+"/respuesta", saveForm(a, j, a.Seq+int64(j), answer)), http.StatusSeeOther)
		}
		wantStatus(t, c.post("/examen/"+a.ID+"/entregar", nil), http.StatusSeeOther)
	}
	q, err := env.svc.Admin.Quality(ctx, track)
	if err != nil {
		t.Fatal(err)
	}
	r := q.Reliability
	if !r.Enough() {
		t.Fatalf("reliability not computed from %d attempts: %+v", exam.MinReliabilityAttempts, r)
	}
	levels := map[exam.ReliabilityLevel]string{exam.ReliabilityExcellent: "excelente", exam.ReliabilityGood: "buena",
		exam.ReliabilityAcceptable: "aceptable", exam.ReliabilityQuestionable: "dudosa", exam.ReliabilityLow: "baja"}
	page := adminClient(t, env).get("/admin")
	wantBody(t, page,
		fmt.Sprintf("<dd>%.2f — %s<br>", r.KR20, levels[r.Level()]),
		"Para certificar se busca 0.80 o más.",
		fmt.Sprintf("± %.1f preguntas (± %.1f puntos)", r.SEM, r.SEMPercent()),
		"Con el mínimo de 50 %, quien saca entre",
		fmt.Sprintf("Calculadas con los %d exámenes terminados de 2 preguntas.", exam.MinReliabilityAttempts),
		fmt.Sprintf("Con %d exámenes terminados, la tasa de fondo", exam.MinReliabilityAttempts))
}
