package account

import "testing"

func TestDeviceOf(t *testing.T) {
	for _, tc := range []struct {
		name, ua string
		want     Device
	}{
		{"Chrome on Android", "Mozilla/5.0 (Linux; Android 14; SM-A145M) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", Device{"Chrome", "Android"}},
		{"Samsung Internet", "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-A135M) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", Device{"Samsung Internet", "Android"}},
		{"Safari on iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", Device{"Safari", "iPhone"}},
		{"Chrome on iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1", Device{"Chrome", "iPhone"}},
		{"Edge on Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", Device{"Edge", "Windows"}},
		{"Firefox on Linux", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", Device{"Firefox", "Linux"}},
		{"Safari on a Mac", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15", Device{"Safari", "macOS"}},
		{"Chrome on a Chromebook", "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", Device{"Chrome", "ChromeOS"}},
		{"a program", "curl/8.5.0", Device{}},
		{"nothing", "", Device{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := DeviceOf(tc.ua); got != tc.want {
				t.Errorf("DeviceOf = %+v, want %+v", got, tc.want)
			}
		})
	}
}
